import { centralSettingsInput, type SettingsView, type SyncResultView, type SyncStatusView } from '../../shared/settings';
import type { Core } from '../app/core';
import { AppError, parseInput } from '../common/errors';
import { describeSyncError } from './errors';
import type { SettingsStore } from '../settings/settings-store';
import { BackgroundSync } from './background';
import { describeTarget, connectCentral } from './central/connect';
import type { SyncEngine, SyncProgress } from './engine';

/**
 * The desktop app's sync: settings → engine → background schedule → one status the window and
 * the tray show. Electron-free; the main process feeds it reconnect signals.
 */
export function createSyncController(core: Core, settings: SettingsStore, options: { autoStart?: boolean } = {}) {
  let engine: SyncEngine | null = null;
  let progress: SyncProgress | null = null;
  let nextAttemptAt: string | null = null;
  const listeners = new Set<(status: SyncStatusView) => void>();

  const status = (): SyncStatusView => {
    const base = engine?.status();
    return {
      configured: settings.centralConfig() !== null,
      state: base?.state ?? 'idle',
      pending: core.sync.outbox.pendingCount(),
      rejected: core.sync.outbox.rejected().length,
      conflicts: core.sync.conflicts.openCount(),
      lastSyncedAt: core.sync.state.lastSyncedAt(),
      lastError: base ? base.lastError : null,
      nextAttemptAt,
      progress,
    };
  };

  const emit = () => {
    const snapshot = status();
    for (const listener of listeners) listener(snapshot);
  };

  const background = new BackgroundSync({
    run: () => {
      if (!engine) return Promise.resolve();
      return engine.syncOnce();
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

  return {
    status,
    start: rebuild,
    onStatus(listener: (status: SyncStatusView) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async syncNow(): Promise<SyncResultView> {
      if (!engine) throw new AppError('UNAVAILABLE', 'No central database is configured; add one in Settings');
      try {
        const result = await engine.syncOnce();
        return { pushed: result.pushed, pulled: result.pulled, conflicts: result.conflicts, rejected: result.rejected, skipped: result.skipped, durationMs: result.durationMs };
      } catch {
        throw new AppError('UNAVAILABLE', engine.status().lastError ?? 'Sync failed');
      } finally {
        emit();
      }
    },
    notifyOnline: () => background.notifyOnline(),
    settings: (): SettingsView => settings.view(),
    async configure(raw: unknown): Promise<SettingsView> {
      const view = settings.setCentral(raw);
      await rebuild();
      return view;
    },
    async clear(): Promise<SettingsView> {
      const view = settings.clearCentral();
      await rebuild();
      return view;
    },
    /** Tries a connection with the given settings without saving them. */
    async test(raw: unknown): Promise<{ ok: true; target: string }> {
      const input = parseInput(centralSettingsInput, raw, 'central database settings');
      const url = new URL(input.url);
      if (input.password) url.password = encodeURIComponent(input.password);
      const config = { url: url.toString(), sslMode: input.sslMode, allowPlaintextPassword: input.allowPlaintextPassword };
      const client = await connectCentral(config).catch((error: unknown) => {
        if (error instanceof AppError) throw error;
        throw new AppError('UNAVAILABLE', `Could not connect to ${describeTarget(config.url)}: ${describeSyncError(error)}`);
      });
      try {
        await client.query('SELECT 1');
        return { ok: true, target: describeTarget(config.url) };
      } finally {
        await client.end();
      }
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
