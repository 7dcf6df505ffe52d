import { centralSettingsInput, type CentralSettingsInput } from '../../shared/settings';
import {
  signOutInput,
  teamChooseInput,
  teamConnectInput,
  type FirstConnectChoice,
  type LocalWork,
  type SignOutResult,
  type TeamConnectInput,
  type TeamConnectResult,
  type TeamPreview,
} from '../../shared/team';
import type { Core } from '../app/core';
import { AppError, parseInput } from '../common/errors';
import { createLogger } from '../common/logger';
import type { SettingsStore } from '../settings/settings-store';
import { describeTarget, type CentralConfig } from '../sync/central/connect';
import type { SyncResult } from '../sync/engine';
import { describeLocalWork } from '../sync/local-work';
import { describeConnectFailure } from '../team/connect-errors';
import { previewTeam } from '../team/preview';
import type { SyncController } from './desktop-sync';

const log = createLogger('team');

const changes = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'change' : 'changes'}`;

/** Same server, database and login: the stored password still belongs to what the form shows. */
function sameAccount(a: URL, b: URL): boolean {
  return a.hostname === b.hostname && (a.port || '5432') === (b.port || '5432') && a.pathname === b.pathname && a.username === b.username;
}

/**
 * Joining a team from the desktop (docs/team-identity.md): test who the server says you are,
 * connect with the person's first-connect choice, and sign out. Electron-free; the window's IPC
 * handlers call it.
 */
export function createTeamService(core: Core, store: SettingsStore, sync: SyncController) {
  /** The connection the form describes: the typed password, else the stored one for the same account. */
  const configFor = (input: CentralSettingsInput): CentralConfig => {
    const url = new URL(input.url);
    if (input.password) url.password = encodeURIComponent(input.password);
    else if (!url.password && input.keepPassword) {
      const stored = store.centralConfig();
      const storedUrl = stored ? new URL(stored.url) : null;
      if (storedUrl && sameAccount(storedUrl, url)) url.password = storedUrl.password;
    }
    return { url: url.toString(), sslMode: input.sslMode, allowPlaintextPassword: input.allowPlaintextPassword };
  };

  /** What the first sync did, in words: who you are, and what became of the work made here. */
  function describeJoin(result: SyncResult, local: LocalWork, choice: FirstConnectChoice | undefined, target: string): TeamConnectResult {
    const user = result.signedIn;
    if (!user) throw new AppError('INTERNAL', 'The server did not say who signed in');
    const parts = [`Signed in as ${user.fullName} (login ${user.login}) on ${target}.`];
    if (result.setAside) {
      parts.push(`Your earlier work on this laptop (${describeLocalWork(local)}) is kept in ${result.setAside}: not uploaded, not deleted. This laptop now shows the team's data.`);
    } else if (choice === 'upload' && local.pendingChanges > 0) {
      parts.push(`Uploaded ${describeLocalWork(local)} to the team (${changes(result.pushed)}), now in your name.`);
    } else if (result.pushed > 0) {
      parts.push(`Sent ${changes(result.pushed)}.`);
    }
    if (result.bootstrapped) parts.push(`Downloaded the team's data (${result.pulled.toLocaleString('en')} rows).`);
    return {
      pushed: result.pushed, pulled: result.pulled, conflicts: result.conflicts, rejected: result.rejected, skipped: result.skipped, durationMs: result.durationMs,
      user, setAside: result.setAside, message: parts.join(' '),
    };
  }

  const currentTarget = () => {
    const url = store.centralConfig()?.url;
    return { url: url ?? '', target: url ? describeTarget(url) : 'the server' };
  };

  return {
    /** Who the server says this login is and what connecting would do; saves and changes nothing here. */
    preview(raw: unknown): Promise<TeamPreview> {
      return previewTeam(core, configFor(parseInput(centralSettingsInput, raw, 'server connection')));
    },

    /** Work on this laptop no team has seen (the counts the first-connect choice shows). */
    localWork: (): LocalWork => core.sync.localWork(),

    /**
     * Checks the login first (a wrong password, an unknown or revoked login, an unreachable
     * server change nothing: the settings are not saved), then saves the connection and runs the
     * first sync with the person's choice.
     */
    async connect(raw: unknown): Promise<TeamConnectResult> {
      const parsed: TeamConnectInput = parseInput(teamConnectInput, raw, 'team connection');
      const { choice, ...settings } = parsed;
      const preview = await previewTeam(core, configFor(settings));
      if (preview.boundToOther) {
        throw new AppError('CONFLICT', `This laptop's data belongs to ${preview.boundToOther} on this server. Sign out first (Settings): their pending work is sent and their data kept in a file; then connect again.`);
      }
      if (preview.choiceNeeded && !choice) {
        throw new AppError('CONFLICT', `This laptop holds ${describeLocalWork(preview.local)} that no team has seen yet: choose to upload it, or to start from the team's data. Nothing was changed.`);
      }
      store.setCentral(settings);
      await sync.reconfigure();
      try {
        const result = await sync.syncWith(choice ? { firstConnect: choice } : {});
        log.info('joined a team', { login: result.signedIn?.login, choice: choice ?? null, setAside: result.setAside });
        return describeJoin(result, preview.local, choice, preview.target);
      } catch (error) {
        const failed = describeConnectFailure(error, settings.url);
        throw new AppError(failed.code, `${failed.message} The connection is saved; sync tries again from the status bar.`);
      }
    },

    /** The first-connect choice for the server already configured (offered by the sync indicator). */
    async choose(raw: unknown): Promise<TeamConnectResult> {
      const { choice } = parseInput(teamChooseInput, raw, 'first-connect choice');
      const local = core.sync.localWork();
      const { url, target } = currentTarget();
      try {
        return describeJoin(await sync.syncWith({ firstConnect: choice }), local, choice, target);
      } catch (error) {
        throw describeConnectFailure(error, url);
      }
    },

    /**
     * Sends pending work, then empties this laptop (its whole database kept in a file beside it)
     * and forgets the server: the next person to sign in starts from an empty replica. Refused
     * while changes could not be sent, unless `force`.
     */
    async signOut(raw: unknown): Promise<SignOutResult> {
      const { force } = parseInput(signOutInput, raw ?? {}, 'sign-out');
      const { url, target } = currentTarget();
      let pushed = 0;
      let why: string | null = null;
      if (url) {
        try {
          pushed = (await sync.syncWith()).pushed;
        } catch (error) {
          why = describeConnectFailure(error, url).message;
        }
      }
      const unsynced = core.sync.outbox.pendingCount();
      if (unsynced > 0 && !force) {
        throw new AppError(
          'CONFLICT',
          `${changes(unsynced)} could not be sent to ${target}${why ? ` (${why.replace(/\.$/, '')})` : ''}. Signing out now would keep ${unsynced === 1 ? 'it' : 'them'} only in the moved-aside file on this computer, not on the team's server. Try again when the server can be reached, or sign out anyway.`,
        );
      }
      store.clearCentral();
      await sync.reconfigure();
      const movedTo = core.sync.setAside('signed-out');
      log.info('signed out', { pushed, unsynced, movedTo });
      const kept = unsynced > 0 ? ` ${changes(unsynced)} that could not be sent stay only in that file.` : '';
      return {
        pushed, unsynced, movedTo,
        message: `Signed out${pushed > 0 ? ` after sending ${changes(pushed)}` : ''}. This laptop's data is kept in ${movedTo}.${kept}`,
      };
    },
  };
}
