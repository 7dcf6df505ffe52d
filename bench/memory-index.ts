import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../core/app/core';
import { createLocalEmbedder, LOCAL_MODEL } from '../core/memory/embedders/local';
import { createVectorStore } from '../core/memory/store';
import { blobVector, vectorBlob } from '../core/memory/vectors';
import { round, type Benchmark } from './harness';
import { createBenchCentral } from './support/central';
import { EVAL_ITEMS } from './support/memory-eval-set';
import { rng } from './support/memory-vectors';

/** Distinct, realistic texts: two evaluation texts joined, with a number so none repeats. */
function texts(n: number): string[] {
  const next = rng(11);
  return Array.from({ length: n }, (_, i) => {
    const a = EVAL_ITEMS[Math.floor(next() * EVAL_ITEMS.length)]?.text ?? '';
    const b = EVAL_ITEMS[Math.floor(next() * EVAL_ITEMS.length)]?.text ?? '';
    return `${a} Also: ${b} (#${i})`;
  });
}

const seconds = async (fn: () => Promise<unknown>): Promise<number> => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};

/**
 * Embedding + indexing throughput with the bundled local model: notes written through the app,
 * then the indexer (small batches, as the desktop runs it, and large ones) into sqlite-vec; the
 * baseline is the bare model on the same texts. Also the two ways a replica can get vectors for
 * rows it pulls: recompute locally (this throughput) or download 512-float blobs from PostgreSQL
 * and store them (measured here against a real server), which is the measure behind the choice
 * recorded in the README.
 */
export const memoryIndex: Benchmark = {
  name: 'memory-index',
  description: 'local embedding + indexing items/s vs the bare model; vectors pulled from PostgreSQL vs recomputed',
  async run({ quick }) {
    const n = quick ? 120 : 600;
    const items = texts(n);
    const embedder = createLocalEmbedder();
    await embedder.embed(['warm up']); // model load is a one-off, measured apart
    // The bare model in batches of 32 (one batch of all texts pads every text to the longest).
    const bare = await seconds(async () => {
      for (let i = 0; i < n; i += 32) await embedder.embed(items.slice(i, i + 32));
    });

    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-bench-memindex-'));
    const results: Record<string, number> = {};
    try {
      for (const batch of [4, 32]) {
        const core = openCore({ dbFile: path.join(dir, `b${batch}.db`), memory: { embedder: { provider: 'local' }, batchSize: batch } });
        try {
          const write = await seconds(async () => {
            core.writer.transaction(() => {
              for (const text of items) core.memory.addNote({ text });
            });
          });
          const index = await seconds(() => core.memory.drain());
          if (core.memory.status().indexed !== n) throw new Error('not everything was indexed');
          results[`batch${batch}ItemsPerSec`] = n / (write + index);
        } finally {
          core.close();
        }
      }

      // Vectors that travel: 2 KB per memory as bytea, pulled and stored in vec0.
      const central = await createBenchCentral();
      let travel = 0;
      let bytes = 0;
      try {
        const vectors = await embedder.embed(items.slice(0, Math.min(n, 200)));
        await central.client.query('CREATE TABLE bench_pulled_vectors (id int PRIMARY KEY, model text NOT NULL, embedding bytea NOT NULL)');
        const copies = Math.ceil(n / vectors.length);
        for (let c = 0; c < copies; c += 1) {
          const rows = vectors.map((v, i) => [c * vectors.length + i + 1, LOCAL_MODEL, vectorBlob(v)] as const).filter(([id]) => id <= n);
          await central.client.query(
            `INSERT INTO bench_pulled_vectors SELECT * FROM unnest($1::int[], $2::text[], $3::bytea[])`,
            [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
          );
        }
        const db = openCore({ dbFile: path.join(dir, 'travel.db') });
        try {
          const store = createVectorStore(db.db);
          travel = await seconds(async () => {
            const { rows } = await central.client.query<{ id: number; embedding: Buffer }>('SELECT id, embedding FROM bench_pulled_vectors ORDER BY id');
            bytes = rows.reduce((s, r) => s + r.embedding.byteLength, 0);
            db.db.transaction(() => {
              for (const r of rows) store.put({ key: r.id, model: LOCAL_MODEL, vector: blobVector(r.embedding), contentType: 'note', projectId: '', createdAt: '2026-01-01T00:00:00.000Z' });
            })();
          });
        } finally {
          db.close();
        }
      } finally {
        await central.drop();
      }

      const app = results.batch4ItemsPerSec ?? 0;
      const model = n / bare;
      return {
        name: 'memory-index',
        metrics: {
          itemsPerSec: round(app, 1),
          batch32ItemsPerSec: round(results.batch32ItemsPerSec ?? 0, 1),
          travelItemsPerSec: round(n / travel, 0),
          travelBytesPerItem: round(bytes / n, 0),
        },
        baseline: { bareModelItemsPerSec: round(model, 1) },
        // Lower is better: the app's cost per item over the bare model's.
        ratio: round(model / Math.max(1e-9, app)),
        table: [
          { label: `${n} notes written + indexed, batch 4 (desktop)`, value: `${app.toFixed(1)} items/s`, baseline: `${model.toFixed(1)} items/s bare model`, note: '' },
          { label: 'same, batch 32 (CLI reindex size)', value: `${(results.batch32ItemsPerSec ?? 0).toFixed(1)} items/s`, baseline: '', note: '' },
          { label: 'vectors pulled from PostgreSQL + stored', value: `${(n / travel).toFixed(0)} items/s`, baseline: `${(bytes / n).toFixed(0)} B/item on the wire`, note: 'the "vectors travel" option' },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
