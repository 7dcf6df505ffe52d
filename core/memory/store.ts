import type { MemoryContentType } from '../../shared/enums';
import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import { BinaryIndex } from './binary-index';
import { vectorBlob } from './vectors';

/** One vector table per dimension; the migration creates the 512 one, others appear on first use. */
export const vecTable = (dimensions: number): string => `memory_vec_${dimensions}`;

export interface VectorMeta {
  contentType: MemoryContentType;
  projectId: string;
  createdAt: string;
}

export interface VectorRow extends VectorMeta {
  key: number;
  model: string;
  vector: Float32Array;
}

/** Sign bits packed as vec0's vec_quantize_binary does: dimension 8j+i is bit i (LSB first) of byte j. */
export function signBits(vector: Float32Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(vector.length / 8));
  for (let i = 0; i < vector.length; i += 1) if ((vector[i] ?? 0) > 0) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7));
  return out;
}

/**
 * The sqlite-vec side of the index, plus the in-memory Hamming index of each model that search
 * uses at scale. Every statement is parameterised; the only interpolated identifier is
 * `memory_vec_<integer>`.
 */
export function createVectorStore(db: SqliteDb) {
  const statements = createStatementCache(db);
  let dims: Set<number> | null = null;
  const binaries = new Map<string, { index: BinaryIndex; dataVersion: number }>();

  const dataVersion = (): number => Number(db.pragma('data_version', { simple: true }));

  const tables = (): number[] => {
    dims ??= new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'memory_vec_[0-9]*' AND sql LIKE 'CREATE VIRTUAL TABLE%'").all() as { name: string }[])
        .map((r) => Number(r.name.slice('memory_vec_'.length)))
        .filter((n) => Number.isInteger(n) && n > 0),
    );
    return [...dims];
  };

  const hasBits = (dimensions: number): boolean => dimensions % 8 === 0;

  function ensureTable(dimensions: number): void {
    if (tables().includes(dimensions)) return;
    if (!Number.isInteger(dimensions) || dimensions < 8 || dimensions > 8192) throw new Error(`unsupported vector dimension ${dimensions}`);
    const bits = hasBits(dimensions) ? `, embedding_bits bit[${dimensions}]` : '';
    db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS ${vecTable(dimensions)} USING vec0(model text partition key, embedding float[${dimensions}] distance_metric=cosine${bits}, content_type text, project_id text, created_at text, chunk_size=32)`,
    );
    dims?.add(dimensions);
  }

  /** Our own writes keep the cached indexes current; other connections' writes invalidate them. */
  const cached = (model: string) => binaries.get(model)?.index;

  function remove(key: number): void {
    for (const d of tables()) statements.get(`DELETE FROM ${vecTable(d)} WHERE rowid = ?`).run(BigInt(key));
    for (const { index } of binaries.values()) index.delete(key);
  }

  return {
    ensureTable,
    hasBits,
    tables,
    exists: (dimensions: number): boolean => tables().includes(dimensions),

    /** Replaces the row's vector (vec0 cannot move a row between partitions, so delete + insert). */
    put(row: VectorRow): void {
      const d = row.vector.length;
      ensureTable(d);
      remove(row.key);
      const blob = vectorBlob(row.vector);
      if (hasBits(d)) {
        statements
          .get(`INSERT INTO ${vecTable(d)} (rowid, model, embedding, embedding_bits, content_type, project_id, created_at) VALUES (?, ?, ?, vec_quantize_binary(?), ?, ?, ?)`)
          .run(BigInt(row.key), row.model, blob, blob, row.contentType, row.projectId, row.createdAt);
      } else {
        statements
          .get(`INSERT INTO ${vecTable(d)} (rowid, model, embedding, content_type, project_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
          .run(BigInt(row.key), row.model, blob, row.contentType, row.projectId, row.createdAt);
      }
      const index = cached(row.model);
      if (index && index.dimensions === d) index.set(row.key, signBits(row.vector), row);
    },

    /** Refreshes the filter columns of a vector whose text did not change. */
    setMetadata(dimensions: number, key: number, meta: VectorMeta): void {
      if (!tables().includes(dimensions)) return;
      statements
        .get(`UPDATE ${vecTable(dimensions)} SET content_type = ?, project_id = ?, created_at = ? WHERE rowid = ?`)
        .run(meta.contentType, meta.projectId, meta.createdAt, BigInt(key));
      for (const { index } of binaries.values()) index.setMeta(key, meta);
    },

    remove,

    /** The stored float vector of a row (for "similar to this one"), or null. */
    vectorOf(dimensions: number, key: number, model: string): Float32Array | null {
      if (!tables().includes(dimensions)) return null;
      const row = statements.get(`SELECT embedding FROM ${vecTable(dimensions)} WHERE rowid = ? AND model = ?`).get(BigInt(key), model) as { embedding: Buffer } | undefined;
      if (!row) return null;
      const copy = new Uint8Array(row.embedding.byteLength);
      copy.set(row.embedding);
      return new Float32Array(copy.buffer);
    },

    count(dimensions: number, model: string): number {
      if (!tables().includes(dimensions)) return 0;
      return (statements.get(`SELECT count(*) AS n FROM ${vecTable(dimensions)} WHERE model = ?`).get(model) as { n: number }).n;
    },

    /** The model's Hamming index, loaded from vec0 on first use and after outside writes. */
    binaryIndex(dimensions: number, model: string): BinaryIndex | null {
      if (dimensions % 32 !== 0 || !tables().includes(dimensions)) return null;
      const version = dataVersion();
      const entry = binaries.get(model);
      if (entry && entry.index.dimensions === dimensions && entry.dataVersion === version) return entry.index;
      const index = new BinaryIndex(dimensions);
      const rows = statements
        .get(`SELECT rowid, embedding_bits AS bits, content_type, project_id, created_at FROM ${vecTable(dimensions)} WHERE model = ?`)
        .iterate(model) as IterableIterator<{ rowid: number; bits: Buffer; content_type: string; project_id: string; created_at: string }>;
      for (const r of rows) index.set(r.rowid, r.bits, { contentType: r.content_type, projectId: r.project_id, createdAt: r.created_at });
      binaries.set(model, { index, dataVersion: version });
      return index;
    },
  };
}
export type VectorStore = ReturnType<typeof createVectorStore>;
