import type { StatementCache } from './statements';

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
}
