import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCore, type Core } from '../../core/app/core';
import type { Clock } from '../../core/common/time';
import type { MemoryOptions } from '../../core/memory/memory';

/** A real core on a real SQLite file in a fresh temp folder; `dispose` closes and removes it. */
export function tempCore(options: { clock?: Clock; memory?: MemoryOptions } = {}): Core & { dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-test-'));
  const core = openCore({ dbFile: path.join(dir, 'coordinator.db'), clock: options.clock, memory: options.memory });
  return Object.assign(core, {
    dir,
    dispose() {
      core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-03-02T09:00:00.000Z'): Clock & { set(iso: string): void; advance(ms: number): void } {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (iso: string) => {
      now = new Date(iso);
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}
