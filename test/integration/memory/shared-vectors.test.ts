import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedderConfigFromName } from '../../../core/memory/embedders/config';
import { tempCentral } from '../../support/pg';
import { openReplica, seedOrganisation, type Replica } from '../../support/sync-harness';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/openai-embeddings-server';

/**
 * Vectors travel through the central database (memory_vectors, keyed by model and the hash of the
 * embedded text): a replica on the same model takes them after checking them and embeds only
 * what is missing; a replica on another model embeds and shares under its own model; pulls of
 * memory rows carry no vectors.
 */

type Central = Awaited<ReturnType<typeof tempCentral>>;
let central: Central;
let server: FakeOpenAi;
const replicas: Replica[] = [];

beforeEach(async () => {
  central = await tempCentral();
  server = await startFakeOpenAi({ dims: 64 });
});
afterEach(async () => {
  while (replicas.length > 0) await replicas.pop()?.dispose().catch(() => undefined);
  await server.close();
  await central.drop();
});

async function replicaOn(name: string, model: string): Promise<Replica> {
  const r = openReplica(central, name);
  replicas.push(r);
  r.core.memory.useApiKey(() => 'sk-test');
  await r.core.memory.reindex({ model: embedderConfigFromName(`openai/${model}`, server.baseURL) });
  return r;
}

const embeddedTexts = () => server.requests.reduce((n, r) => n + r.inputs.length, 0);
const sharedRows = async () =>
  (await central.query<{ model: string; n: number; dims: number; bytes: number }>(
    'SELECT model, count(*)::int AS n, min(dimensions) AS dims, max(octet_length(vector)) AS bytes FROM memory_vectors GROUP BY model ORDER BY model',
  )).rows;

/** A replica whose organisation is embedded and shared: A, on model `same`. */
async function embeddedOrganisation(): Promise<{ A: Replica; memories: number }> {
  const A = await replicaOn('A', 'same');
  seedOrganisation(A.core, { tasks: 6 });
  A.core.memory.refreshSources();
  const first = await A.core.memory.drain();
  await A.sync();
  return { A, memories: first.embedded };
}

describe('shared vectors', () => {
  it('what one replica embeds is stored once centrally, compactly, under its model and text hash', async () => {
    const { memories } = await embeddedOrganisation();
    expect(memories).toBeGreaterThan(6);
    expect(await sharedRows()).toEqual([{ model: 'openai/same', n: memories, dims: 64, bytes: 64 * 4 }]);
  });

  it('a replica on the same model takes them, checking one by embedding it again, and embeds nothing else', async () => {
    const { memories } = await embeddedOrganisation();
    const B = await replicaOn('B', 'same');
    await B.sync();
    server.requests.length = 0;
    const r = await B.core.memory.drain();
    expect(r.shared).toEqual({ adopted: memories, missing: 0, rejected: 0, mismatch: null });
    expect(r.embedded).toBe(0);
    expect(embeddedTexts()).toBe(1); // the sample
    expect(B.core.memory.status()).toMatchObject({ indexed: memories, pending: 0 });
    const found = await B.core.memory.search({ query: 'Task 3', k: 3 });
    expect(found.results.length).toBeGreaterThan(0);
  });

  it('embeds only what the exchange is missing, and shares that in turn', async () => {
    const { memories } = await embeddedOrganisation();
    const B = await replicaOn('B', 'same');
    await B.sync();
    B.core.tasks.create({ title: 'Order the replacement projector lamp' });
    B.core.memory.refreshSources();
    server.requests.length = 0;
    const r = await B.core.memory.drain();
    expect(r.shared).toMatchObject({ adopted: memories, missing: 1, rejected: 0 });
    expect(r.embedded).toBe(1);
    expect(embeddedTexts()).toBe(2); // the sample and the new task
    expect(await sharedRows()).toEqual([{ model: 'openai/same', n: memories + 1, dims: 64, bytes: 256 }]);
  });

  it('a replica on another model takes none of them, embeds everything, and shares under its own model', async () => {
    const { memories } = await embeddedOrganisation();
    const C = await replicaOn('C', 'other');
    await C.sync();
    server.requests.length = 0;
    const r = await C.core.memory.drain();
    expect(r.shared).toMatchObject({ adopted: 0, missing: memories });
    expect(r.embedded).toBe(memories);
    expect((await sharedRows()).map((s) => [s.model, s.n])).toEqual([
      ['openai/other', memories],
      ['openai/same', memories],
    ]);
  });

  it('a shared vector that disagrees with the sample embedded here: nothing is taken, everything is embedded locally', async () => {
    const { memories } = await embeddedOrganisation();
    // Someone stored wrong vectors: every float negated (right length, finite, opposite meaning).
    await central.query(`UPDATE memory_vectors SET vector = (SELECT string_agg(
      set_byte(substr(vector, i, 4), 3, get_byte(vector, i + 2) # 128), ''::bytea ORDER BY i)
      FROM generate_series(1, octet_length(vector), 4) AS i)`);
    const B = await replicaOn('B', 'same');
    await B.sync();
    const r = await B.core.memory.drain();
    expect(r.shared.adopted).toBe(0);
    expect(r.shared.mismatch).toMatchObject({ model: 'openai/same' });
    expect(r.shared.mismatch?.cosine).toBeLessThan(0);
    expect(r.embedded).toBe(memories);
    // The replica's own vectors are right: a task is found by its own words.
    const found = await B.core.memory.search({ query: 'Task 3', k: 1 });
    expect(found.results[0]?.content).toContain('Task 3');
  });

  it('refuses a vector of the wrong length or with a non-finite value, and embeds those texts itself', async () => {
    const { memories } = await embeddedOrganisation();
    const { rows } = await central.query<{ content_hash: string }>('SELECT content_hash FROM memory_vectors ORDER BY content_hash LIMIT 2');
    await central.query(`UPDATE memory_vectors SET vector = substr(vector, 1, 128), dimensions = 32 WHERE content_hash = $1`, [rows[0]?.content_hash]);
    // 0x7fc00000: a float32 NaN, little-endian, in the first position.
    await central.query(`UPDATE memory_vectors SET vector = '\\x0000c07f'::bytea || substr(vector, 5) WHERE content_hash = $1`, [rows[1]?.content_hash]);
    const B = await replicaOn('B', 'same');
    await B.sync();
    const r = await B.core.memory.drain();
    expect(r.shared).toMatchObject({ adopted: memories - 2, rejected: 2, mismatch: null });
    expect(r.embedded).toBe(2);
    expect(B.core.memory.status()).toMatchObject({ indexed: memories, pending: 0, failed: 0 });
  });

  it('pulls of memory rows carry no vector, even where the central row has the seed’s embedding_vector', async () => {
    const { A } = await embeddedOrganisation();
    await central.query(`UPDATE memory_embeddings SET embedding_vector = '[0.1, 0.2]'::jsonb`);
    const B = await replicaOn('B', 'same');
    await B.sync();
    expect(B.core.db.prepare('SELECT count(*) AS n, count(embedding_vector) AS v FROM memory_embeddings').get()).toMatchObject({ v: 0 });
    expect((B.core.db.prepare('SELECT count(*) AS n FROM memory_embeddings').get() as { n: number }).n).toBeGreaterThan(0);
    // A's next pull brings the changed rows back without the vector either.
    await A.sync();
    expect(A.core.db.prepare('SELECT count(embedding_vector) AS v FROM memory_embeddings').get()).toEqual({ v: 0 });
  });
});
