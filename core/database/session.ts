import type { StatementCache } from './statements';

/** The local profile made up from the OS account before this laptop knew its person (docs/team-identity.md). */
export const PROVISIONAL_USER_KEY = 'identity.provisional_user_id';
/** Set by the demo seeder: the data is the demo organisation, never pushed to a team unless asked. */
export const DEMO_KEY = 'demo.loaded_at';

/**
 * The replica's local settings and who is signed in on it. The current user is the actor of
 * every write made from this laptop.
 */
export class Session {
  private cachedUserId: string | null | undefined;

  constructor(private readonly statements: StatementCache) {}

  getSetting(key: string): string | null {
    const row = this.statements.get('SELECT value FROM local_settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSetting(key: string, value: string): void {
    this.statements
      .get('INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
    if (key === 'current_user_id') this.cachedUserId = value;
  }

  get currentUserId(): string | null {
    if (this.cachedUserId === undefined) this.cachedUserId = this.getSetting('current_user_id');
    return this.cachedUserId;
  }

  setCurrentUser(userId: string): void {
    this.setSetting('current_user_id', userId);
  }

  /** After local_settings changed behind this object's back (a replica emptied in SQL). */
  forgetCachedUser(): void {
    this.cachedUserId = undefined;
  }
}
