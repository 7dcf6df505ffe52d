import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { plural } from '../output';

/**
 * Signing out of a team from the command line (docs/team-identity.md#signing-out): the same
 * set-aside as the desktop's Sign out, after pushing what can be pushed.
 */
export function registerTeamCommands(program: Command): void {
  program
    .command('sign-out')
    .description("push pending changes, then keep this replica in a file beside it and empty it (another person or server starts a new replica)")
    .option('--pg <url>', 'central database URL to push pending changes to first (or COORDINATOR_PG_URL)')
    .option('--force', 'sign out although changes could not be pushed (they stay only in the moved-aside file)')
    .action((opts: { pg?: string; force?: boolean }, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const url = opts.pg ?? process.env.COORDINATOR_PG_URL;
        let pushed = 0;
        let why: string | null = null;
        if (url && core.sync.outbox.pendingCount() > 0) {
          const engine = core.sync.connect({ central: { url } });
          try {
            pushed = (await engine.syncOnce()).pushed;
          } catch (error) {
            why = engine.status().lastError ?? (error instanceof Error ? error.message : String(error));
          } finally {
            await engine.close();
          }
        }
        const unsynced = core.sync.outbox.pendingCount();
        if (unsynced > 0 && !opts.force) {
          const reason = why ? ` (${why.replace(/\.$/, '')})` : url ? '' : ' (no central database given: --pg URL)';
          throw new AppError('CONFLICT', `${plural(unsynced, 'change')} could not be pushed${reason}; nothing was changed. Sync first, or sign out anyway with --force (they then stay only in the moved-aside file).`);
        }
        const movedTo = core.sync.setAside('signed-out');
        const result = { pushed, unsynced, movedTo };
        if (out.json) return out.data(result);
        out.line(`Signed out: pushed ${plural(pushed, 'change')}; this replica is kept in ${movedTo}${unsynced > 0 ? ` with ${plural(unsynced, 'unsynced change')}` : ''}, and the database is empty.`);
      }),
    );
}
