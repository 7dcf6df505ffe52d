import type { SyncJoinResultView, SyncResultView, SyncStatusView } from '../../shared/settings';
import type { FirstConnectChoice, SignedInUser } from '../../shared/team';
import { reconcileCrm } from '../crm/reconcile';
import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { describeSyncError } from '../sync/errors';
import type { SettingsStore } from '../settings/settings-store';
import { BackgroundSync } from '../sync/background';
import type { SyncEngine, SyncProgress, SyncResult } from '../sync/engine';

/** What the desktop sync reads from the settings: the connections and the schedule, nothing else. */
export type SyncSettings = Pick<SettingsStore, 'centralConfig' | 'crmConfig' | 'syncIntervalSeconds'>;

/**
 * The desktop app's sync: settings → engine → background schedule → one status the window and
 * the tray show; after a central sync it also reconciles the CRM. It sits above both sync and crm
 * (neither imports the other's orchestration). Electron-free; the main process feeds it reconnect
 * signals.
 */
export function createSyncController(core: Core, settings: SyncSettings, options: { autoStart?: boolean } = {}) {
  let engine: SyncEngine | null = null;
  let progress: SyncProgress | null = null;
  let nextAttemptAt: string | null = null;
  let crmStatus: SyncStatusView['crm'] = null;
  let identityNotice: string | null = null;
  let lastReconcileAt = 0;
  const listeners = new Set<(status: SyncStatusView) => void>();

  /** Who this replica is bound to, without the binding's own bookkeeping. */
  const signedInView = (): SignedInUser | null => {
    const bound = core.sync.binding.bound();
    return bound ? { userId: bound.userId, username: bound.username, fullName: bound.fullName, email: bound.email, role: bound.role, login: bound.login } : null;
  };

  const status = (): SyncStatusView => {
    const base = engine?.status();
    const configured = settings.centralConfig() !== null;
    return {
      configured,
      state: base?.state ?? 'idle',
      pending: core.sync.outbox.pendingCount(),
      rejected: core.sync.outbox.rejected().length,
      conflicts: core.sync.conflicts.openCount(),
      lastSyncedAt: core.sync.state.lastSyncedAt(),
      lastError: base ? base.lastError : null,
      needsJoin: base?.needsJoin ?? false,
      needsChoice: base?.needsChoice ?? false,
      signedIn: configured ? signedInView() : null,
      identityNotice,
      nextAttemptAt,
      progress,
      crm: settings.crmConfig() ? crmStatus : null,
    };
  };

  /**
   * With CRM credentials, this laptop also reconciles the central database with the CRM after a
   * central sync (at most once a minute unless asked; the lease in the central database lets only
   * one machine run it at a time). A CRM failure never fails the central sync; it shows in the status.
   */
  const reconcile = async (force: boolean): Promise<void> => {
    const crm = settings.crmConfig();
    const central = settings.centralConfig();
    if (!crm || !central || !engine) return;
    if (!force && Date.now() - lastReconcileAt < 60_000) return;
    lastReconcileAt = Date.now();
    try {
      const r = await reconcileCrm({ central, crm });
      crmStatus = {
        at: new Date().toISOString(), ok: true, message: r.ran ? `imported ${r.imported}, exported ${r.exported}` : (r.reason ?? 'skipped'),
        imported: r.imported, exported: r.exported, conflicts: r.conflicts, skipped: r.skipped.length,
      };
      // Bring what the CRM changed into this replica now rather than at the next interval.
      if (r.imported > 0) await engine.syncOnce();
    } catch (error) {
      crmStatus = { at: new Date().toISOString(), ok: false, message: describeSyncError(error), imported: 0, exported: 0, conflicts: 0, skipped: 0 };
    }
    emit();
  };

  /** A run that renewed this replica's identity says so in the status until the next such run. */
  const noteIdentity = (result: SyncResult): SyncResult => {
    if (result.identity) identityNotice = result.identity.message;
    return result;
  };

  const toView = (result: SyncResult): SyncResultView => ({
    pushed: result.pushed, pulled: result.pulled, conflicts: result.conflicts, rejected: result.rejected, skipped: result.skipped, durationMs: result.durationMs,
  });

  const emit = () => {
    const snapshot = status();
    for (const listener of listeners) listener(snapshot);
  };

  const background = new BackgroundSync({
    run: async () => {
      if (!engine) return;
      const result = noteIdentity(await engine.syncOnce());
      // Pulled rows are indexed for search now rather than at the memory worker's next poll.
      if (result.pulled > 0) core.memory.nudge();
      await reconcile(false);
    },
    intervalMs: () => settings.syncIntervalSeconds() * 1000,
    onSchedule: (at) => {
      nextAttemptAt = at ? at.toISOString() : null;
    },
  });

  const rebuild = async () => {
    background.stop();
    await engine?.close();
    engine = null;
    const config = settings.centralConfig();
    if (!config) {
      emit();
      return;
    }
    engine = core.sync.connect({
      central: config,
      onProgress: (p) => {
        progress = p;
        emit();
      },
    });
    engine.onStatus(() => {
      if (engine?.status().state !== 'syncing') progress = null;
      emit();
    });
    if (options.autoStart !== false) background.start();
    emit();
  };

  const unsubscribe = core.onChanges(() => {
    background.notifyLocalChange();
    emit();
  });

  /** One run of the engine with the person's request; the engine's own error is thrown as is. */
  const runEngine = async (request: { join?: boolean; firstConnect?: FirstConnectChoice }): Promise<SyncResult> => {
    const current = engine;
    if (!current) throw new AppError('UNAVAILABLE', 'No central database is configured; add one in Settings');
    try {
      const result = noteIdentity(await current.syncOnce(request));
      if (result.pulled > 0) core.memory.nudge();
      await reconcile(true);
      return result;
    } finally {
      emit();
    }
  };

  const runNow = async (join: boolean): Promise<SyncResult> => {
    const current = engine;
    if (!current) throw new AppError('UNAVAILABLE', 'No central database is configured; add one in Settings');
    try {
      return await runEngine({ join });
    } catch {
      throw new AppError('UNAVAILABLE', current.status().lastError ?? 'Sync failed');
    }
  };

  return {
    status,
    start: rebuild,
    onStatus(listener: (status: SyncStatusView) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async syncNow(): Promise<SyncResultView> {
      return toView(await runNow(false));
    },
    /**
     * Joins the central database the settings point at although this replica belongs to another:
     * local data is rebuilt from it and pending work pushed to it (docs/sync-identity.md).
     */
    async joinNow(): Promise<SyncJoinResultView> {
      const result = await runNow(true);
      return { ...toView(result), message: result.identity?.message ?? 'This replica already belongs to this central database; it synced normally.' };
    },
    /**
     * One sync now, with the first-connect choice when there is one (joining a team, signing
     * out): the engine's error is thrown as is, for the caller to put in its own words.
     */
    syncWith: (request: { firstConnect?: FirstConnectChoice } = {}): Promise<SyncResult> => runEngine(request),
    notifyOnline: () => background.notifyOnline(),
    /** The central connection changed (or was removed): reconnect with the saved settings. */
    reconfigure: rebuild,
    /** The CRM connection changed: forget the old status and reconcile with the new one now. */
    crmChanged(): void {
      crmStatus = null;
      if (settings.crmConfig()) void reconcile(true);
      else emit();
    },
    async close(): Promise<void> {
      unsubscribe();
      background.stop();
      await engine?.close();
      engine = null;
    },
  };
}
export type SyncController = ReturnType<typeof createSyncController>;
