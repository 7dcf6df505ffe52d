import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { SqliteDb } from '../../core/database/open';

/** A temp folder for one benchmark's SQLite files; `remove` deletes it. */
export function tempDir(): { dir: string; file(name: string): string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-bench-'));
  return { dir, file: (name) => path.join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const seconds = (startMs: number): number => (performance.now() - startMs) / 1000;

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtRate = (perSecond: number): string => `${fmtInt(perSecond)} rows/s`;
export const fmtS = (s: number): string => `${s.toFixed(2)} s`;
export const fmtMs = (ms: number, digits = 3): string => `${ms.toFixed(digits)} ms`;

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** One line about the machine, since every figure here depends on it. */
export function machineNote(): string {
  const [l1] = os.loadavg();
  return `${os.cpus().length} cores, load avg ${l1?.toFixed(1)} at start`;
}

/** A content hash of a SQLite table's rows (in id order), to check two replicas hold the same data. */
export function tableDigest(db: SqliteDb, table: string, columns: string[]): string {
  const hash = createHash('sha256');
  const stmt = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY id`).raw(true);
  for (const row of stmt.iterate() as Iterable<unknown[]>) hash.update(JSON.stringify(row));
  return hash.digest('hex').slice(0, 16);
}
