import { openCore } from '../core/app/core';
import { embedderConfigFromName } from '../core/memory/embedders/config';
import { createLocalEmbedder } from '../core/memory/embedders/local';
import { contentHash, embeddingInput, keywords, summary } from '../core/memory/text';
import { checkVector, vectorBlob } from '../core/memory/vectors';
import { newId } from '../core/common/ids';
import { hashedEmbedding, startFakeOpenAi } from '../test/support/openai-embeddings-server';
import { round, type Benchmark, type BenchResult } from './harness';
import { createBenchCentral, waitForHorizon } from './support/central';
import { enrolLoader } from './support/fixture';
import { EVAL_ITEMS } from './support/memory-eval-set';
import { rng } from './support/memory-vectors';
import { fmtInt, fmtS, machineNote, seconds, tempDir } from './support/util';

const DIMS = 512;
const MODEL = 'openai/bench-embed';
const CHUNK = 2_000;

/** Distinct, realistic memory texts: two evaluation texts joined, numbered so none repeats. */
function texts(n: number): string[] {
  const next = rng(17);
  return Array.from({ length: n }, (_, i) => {
    const a = EVAL_ITEMS[Math.floor(next() * EVAL_ITEMS.length)]?.text ?? '';
    const b = EVAL_ITEMS[Math.floor(next() * EVAL_ITEMS.length)]?.text ?? '';
    return `${a} Also: ${b} (#${i})`;
  });
}

/**
 * A new laptop joins an organisation whose 100k memories are already embedded centrally: time
 * from an empty replica until semantic search answers over all of them (bootstrap of the rows,
 * then the indexer taking the shared vectors with its checks), against (a) the same bootstrap
 * without vectors (the floor) and (b) the same replica embedding everything itself with the
 * bundled local model, measured on a sample and extrapolated.
 *
 * The replica's model here is the OpenAI-compatible test double on 127.0.0.1 (512 dimensions), so
 * that 100k vectors can be prepared in seconds; the per-batch sample the indexer re-embeds is
 * also priced with the local model (`sample check, local model`), since that is what a laptop runs.
 */
export const memoryBootstrap: Benchmark = {
  name: 'memory-bootstrap',
  description: 'empty replica searchable over 100k centrally embedded memories vs rows only vs re-embedding locally',
  async run({ quick }): Promise<BenchResult> {
    const n = quick ? 10_000 : 100_000;
    const machine = machineNote();
    const tmp = tempDir();
    const server = await startFakeOpenAi({ dims: DIMS });
    const central = await createBenchCentral();
    try {
      // ---- fixture: memory rows and their vectors, centrally ----
      const fixtureStarted = performance.now();
      const items = texts(n);
      const noise = rng(23);
      const now = new Date().toISOString();
      for (let i = 0; i < n; i += CHUNK) {
        const slice = items.slice(i, i + CHUNK);
        await central.client.query(
          `INSERT INTO memory_embeddings (id, content, content_type, keywords, summary, embedding_model, created_at, updated_at)
           SELECT u.id, u.content, 'note', u.keywords::jsonb, u.summary, $4, $5, $5 FROM unnest($1::uuid[], $2::text[], $3::text[], $6::text[]) AS u(id, content, keywords, summary)`,
          [slice.map(() => newId()), slice, slice.map((t) => JSON.stringify(keywords(t))), MODEL, now, slice.map((t) => summary(t))],
        );
        const vectors = slice.map((t) => {
          const input = embeddingInput(t);
          // The double's vectors are sparse (and would compress to ~200 B); a little dense noise
          // makes them as incompressible as a real model's while keeping the sample check's
          // cosine with the double's own answer above 0.99.
          const dense = hashedEmbedding(input, DIMS).map((v) => v + (noise() - 0.5) * 0.1);
          return { hash: contentHash(input), blob: vectorBlob(checkVector(dense, DIMS)) };
        });
        await central.client.query(
          `INSERT INTO memory_vectors (model, content_hash, dimensions, vector) SELECT $1, u.h, $2, u.v FROM unnest($3::text[], $4::bytea[]) AS u(h, v)`,
          [MODEL, DIMS, vectors.map((v) => v.hash), vectors.map((v) => v.blob)],
        );
      }
      await central.client.query('VACUUM ANALYZE memory_embeddings');
      await central.client.query('VACUUM ANALYZE memory_vectors');
      // The replicas sign in as this login: its user is one more row every bootstrap brings.
      const rowsToPull = n + (await enrolLoader(central.client));
      const { rows: xidRows } = await central.client.query<{ x: string }>('SELECT max(xid)::text AS x FROM sync_changes');
      await waitForHorizon(central.client, xidRows[0]?.x ?? '0');
      const fixtureSeconds = seconds(fixtureStarted);

      // Size: PostgreSQL bytes per vector as stored (bytea) and as the seed's JSONB, on a sample.
      const { rows: sampleRows } = await central.client.query<{ vector: Buffer }>('SELECT vector FROM memory_vectors LIMIT 200');
      const asJson = sampleRows.map((r) => JSON.stringify(Array.from(new Float32Array(new Uint8Array(r.vector).buffer))));
      const { rows: size } = await central.client.query<{ bytea: number; jsonb: number; b64: number }>(
        `SELECT (SELECT avg(pg_column_size(vector))::float FROM (SELECT vector FROM memory_vectors LIMIT 200) s) AS bytea,
                (SELECT avg(pg_column_size(j))::float FROM unnest($1::jsonb[]) AS j) AS jsonb,
                (SELECT avg(length(encode(vector, 'base64')))::float FROM (SELECT vector FROM memory_vectors LIMIT 200) s) AS b64`,
        [asJson],
      );
      const bytesStored = size[0]?.bytea ?? 0;
      const bytesWire = (size[0]?.b64 ?? 0) + 64 + 4; // base64 vector + hex hash + dimensions

      const joinOnce = async (file: string, withVectors: boolean) => {
        const core = openCore({ dbFile: tmp.file(file), memory: { embedder: embedderConfigFromName(MODEL, server.baseURL), apiKey: () => 'bench' } });
        try {
          const engine = core.sync.connect({ central: { url: central.url } });
          try {
            if (!withVectors) core.memory.useSharedVectors(null);
            let t = performance.now();
            const r = await engine.syncOnce();
            if (!r.bootstrapped || r.pulled !== rowsToPull) throw new Error(`bootstrap pulled ${r.pulled} of ${rowsToPull}`);
            const rowsSeconds = seconds(t);
            if (!withVectors) return { rowsSeconds, vectorSeconds: 0, adopted: 0, samples: 0 };
            t = performance.now();
            const before = server.requests.length;
            const m = await core.memory.drain();
            const answer = await core.memory.search({ query: 'invoice layout printing', k: 5 });
            const vectorSeconds = seconds(t);
            if (m.shared.adopted !== n || m.embedded !== 0) throw new Error(`took ${m.shared.adopted} shared vectors and embedded ${m.embedded}`);
            if (core.memory.status().indexed !== n || answer.results.length === 0) throw new Error('search does not answer over everything');
            return { rowsSeconds, vectorSeconds, adopted: m.shared.adopted, samples: server.requests.length - before };
          } finally {
            await engine.close();
          }
        } finally {
          core.close();
        }
      };

      const rowsOnly = await joinOnce('rows-only.db', false);
      const shared = await joinOnce('shared.db', true);

      // Baseline: the bundled local model, through the indexer as the desktop runs it, on a sample.
      const sampleN = quick ? 60 : 240;
      const local = openCore({ dbFile: tmp.file('local.db'), memory: { embedder: { provider: 'local' } } });
      let localRate: number;
      let localOneSeconds: number;
      try {
        const embedder = createLocalEmbedder();
        await embedder.embed(['warm up']);
        let t = performance.now();
        for (let i = 0; i < 20; i += 1) await embedder.embed([items[i] ?? '']);
        localOneSeconds = seconds(t) / 20;
        await embedder.close?.();
        local.writer.transaction(() => {
          for (const text of items.slice(0, sampleN)) local.memory.addNote({ text });
        });
        await local.memory.drain(); // includes the model load once: not part of the rate below
        for (const text of items.slice(sampleN, 2 * sampleN)) local.memory.addNote({ text });
        t = performance.now();
        await local.memory.drain();
        localRate = sampleN / seconds(t);
      } finally {
        local.close();
      }
      const sampleCheckLocal = shared.samples * localOneSeconds;
      const total = shared.rowsSeconds + shared.vectorSeconds + sampleCheckLocal;
      const baseline = rowsOnly.rowsSeconds + n / localRate;
      const floor = rowsOnly.rowsSeconds;
      return {
        name: 'memory-bootstrap',
        metrics: {
          memories: n,
          seconds: round(total, 2),
          rowsSeconds: round(shared.rowsSeconds, 2),
          vectorSeconds: round(shared.vectorSeconds, 2),
          sampleChecks: shared.samples,
          sampleCheckLocalSeconds: round(sampleCheckLocal, 2),
          bytesPerVectorStored: Math.round(bytesStored),
          bytesPerVectorJsonb: Math.round(size[0]?.jsonb ?? 0),
          bytesPerVectorWire: Math.round(bytesWire),
          fixtureSeconds: round(fixtureSeconds, 2),
        },
        baseline: { reEmbedSeconds: round(baseline, 2), localItemsPerSec: round(localRate, 1), rowsOnlySeconds: round(floor, 2) },
        ratio: round(total / floor, 2),
        table: [
          { label: 'machine', value: machine, note: 'shared with other work; figures are noisy' },
          { label: 'central memories', value: fmtInt(n), note: `${DIMS}-dimension vectors already in memory_vectors (fixture ${fmtS(fixtureSeconds)}, not measured)` },
          { label: 'searchable after (shared vectors)', value: fmtS(total), baseline: fmtS(baseline), note: `${(baseline / total).toFixed(0)}x faster than re-embedding (aim >= 100x)` },
          { label: 'vs rows without vectors', value: fmtS(total), baseline: fmtS(floor), note: `${(total / floor).toFixed(2)}x (aim <= 3x)` },
          { label: 'of which: bootstrap of the rows', value: fmtS(shared.rowsSeconds) },
          { label: 'of which: take + check + index vectors, first search', value: fmtS(shared.vectorSeconds), note: `${shared.samples} samples re-embedded by the double` },
          { label: 'of which: sample check, local model', value: fmtS(sampleCheckLocal), note: `${shared.samples} x ${(localOneSeconds * 1000).toFixed(0)} ms (priced, added to the total)` },
          { label: 'local model, indexer', value: `${localRate.toFixed(1)} items/s`, note: `measured on ${sampleN} memories, extrapolated to ${fmtInt(n)}: ${fmtS(n / localRate)}` },
          { label: 'bytes per vector, PostgreSQL', value: `${Math.round(bytesStored)} B bytea`, baseline: `${Math.round(size[0]?.jsonb ?? 0)} B jsonb`, note: 'float32 little-endian vs the seed JSONB array' },
          { label: 'bytes per vector, wire', value: `${Math.round(bytesWire)} B`, note: 'base64 vector + hash + dimension (memory row pulls carry none)' },
        ],
      };
    } finally {
      await central.drop();
      await server.close();
      tmp.remove();
    }
  },
};
