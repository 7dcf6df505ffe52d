import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MEMORY_CONTENT_TYPES } from '../shared/enums';
import { openDatabase } from '../core/database/open';
import { EXACT_LIMIT, exactKnn, knn, type VectorFilters } from '../core/memory/knn';
import { createVectorStore } from '../core/memory/store';
import { round, summarise, type Benchmark } from './harness';
import { realisticVectors } from './support/memory-vectors';

const K = 10;
const MODEL = 'bench/model';

/** The baseline: an exact scan over one Float32Array holding every vector, in this process. */
function bruteForce(flat: Float32Array, types: Uint8Array, q: Float32Array, k: number, type: number | null): number[] {
  const n = types.length;
  const best: { i: number; s: number }[] = [];
  let floor = -Infinity;
  for (let i = 0; i < n; i += 1) {
    if (type !== null && types[i] !== type) continue;
    let s = 0;
    const o = i * 512;
    for (let d = 0; d < 512; d += 1) s += (flat[o + d] ?? 0) * (q[d] ?? 0);
    if (best.length < k || s > floor) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
      floor = best[best.length - 1]?.s ?? -Infinity;
    }
  }
  return best.map((b) => b.i + 1);
}

const time = (fn: () => void): number => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

/**
 * k=10 vector search latency at 10k and 100k memories of 512 dimensions, with and without a
 * content-type filter: the app's path (`knn`: vec0 exact scan up to EXACT_LIMIT vectors, Hamming
 * candidates from the in-memory sign-bit index rescored with vec0's float vectors above) and vec0's
 * own exact KNN, against an exact brute-force scan of a Float32Array in the same process. Recall@10
 * is the fast path's overlap with the exact top 10.
 */
export const memorySearch: Benchmark = {
  name: 'memory-search',
  description: 'k=10 KNN latency and recall@10 at 10k/100k × 512 dims, ± type filter, vs brute-force Float32Array scan',
  async run({ quick }) {
    const sizes = quick ? [10_000] : [10_000, 100_000];
    const queryCount = quick ? 30 : 100;
    const { data, queries } = await realisticVectors(sizes[sizes.length - 1] as number, queryCount);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-bench-memsearch-'));
    const db = openDatabase({ file: path.join(dir, 'bench.db') });
    const store = createVectorStore(db);
    const metrics: Record<string, number> = {};
    const baseline: Record<string, number> = {};
    const table: { label: string; value: string; baseline?: string; note?: string }[] = [];
    try {
      const types = new Uint8Array(data.length).map((_, i) => i % 4);
      const flat = new Float32Array(data.length * 512);
      data.forEach((v, i) => flat.set(v, i * 512));
      let inserted = 0;
      for (const size of sizes) {
        const started = Date.now();
        db.transaction(() => {
          for (; inserted < size; inserted += 1) {
            store.put({ key: inserted + 1, model: MODEL, vector: data[inserted] as Float32Array, contentType: MEMORY_CONTENT_TYPES[types[inserted] ?? 0] ?? 'task', projectId: '', createdAt: '2026-01-01T00:00:00.000Z' });
          }
        })();
        const loadMs = Date.now() - started;
        const flatView = flat.subarray(0, size * 512);
        const typeView = types.subarray(0, size);
        store.binaryIndex(512, MODEL); // first-use load, not part of the query latency
        for (const filtered of [false, true]) {
          const filters: VectorFilters = filtered ? { types: ['task'] } : {};
          const label = `${size / 1000}k${filtered ? ' type=task' : ''}`;
          const fast: number[] = [];
          const binary: number[] = [];
          const vecExact: number[] = [];
          const brute: number[] = [];
          let recallFast = 0;
          let recallBinary = 0;
          for (const q of queries) {
            let exact: number[] = [];
            brute.push(time(() => (exact = bruteForce(flatView, typeView, q, K, filtered ? 0 : null))));
            let got: number[] = [];
            fast.push(time(() => (got = knn(db, store, { model: MODEL, vector: q, k: K, filters }).map((h) => h.key))));
            recallFast += got.filter((key) => exact.includes(key)).length / K;
            binary.push(time(() => (got = knn(db, store, { model: MODEL, vector: q, k: K, filters, strategy: 'binary' }).map((h) => h.key))));
            recallBinary += got.filter((key) => exact.includes(key)).length / K;
            vecExact.push(time(() => exactKnn(db, MODEL, q, K, filters)));
          }
          const [f, b, v, x] = [summarise(fast), summarise(binary), summarise(vecExact), summarise(brute)];
          const key = `${size / 1000}k${filtered ? 'Typed' : ''}`;
          metrics[`${key}P50Ms`] = round(f.p50);
          metrics[`${key}RecallAt10`] = round(recallFast / queries.length);
          metrics[`${key}BinaryP50Ms`] = round(b.p50);
          metrics[`${key}BinaryRecallAt10`] = round(recallBinary / queries.length);
          metrics[`${key}Vec0ExactP50Ms`] = round(v.p50);
          baseline[`${key}BruteForceP50Ms`] = round(x.p50);
          table.push(
            { label: `${label} app path p50 / p99`, value: `${f.p50.toFixed(2)} / ${f.p99.toFixed(2)} ms, recall@10 ${(recallFast / queries.length).toFixed(3)}`, baseline: `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)} ms`, note: size > EXACT_LIMIT ? 'binary+rescore' : `vec0 exact (≤${EXACT_LIMIT})` },
            { label: `${label} binary+rescore p50`, value: `${b.p50.toFixed(2)} ms, recall@10 ${(recallBinary / queries.length).toFixed(3)}`, baseline: '', note: '' },
            { label: `${label} vec0 exact KNN p50`, value: `${v.p50.toFixed(2)} ms`, baseline: '', note: 'recall 1 by definition' },
          );
        }
        table.push({ label: `${size / 1000}k insert into vec0`, value: `${loadMs} ms`, baseline: '', note: 'cumulative build' });
      }
      const top = `${sizes[sizes.length - 1]! / 1000}k`;
      return {
        name: 'memory-search',
        metrics,
        baseline,
        ratio: round((metrics[`${top}P50Ms`] ?? 0) / Math.max(1e-9, baseline[`${top}BruteForceP50Ms`] ?? 0)),
        table,
      };
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
