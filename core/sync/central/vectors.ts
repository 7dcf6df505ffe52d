import type { Queryable } from './connect';

/**
 * Semantic memory's vector exchange in the central database (`memory_vectors`, migration 0011):
 * one vector per model and sha256 of the embedded text, stored as little-endian float32 and
 * carried as base64 (the text protocol would send bytea as hex, twice the size). The SQL lives
 * here so the direct transport and the sync service run the very same statements; what the
 * vectors mean (and whether to trust them) is semantic memory's business (core/memory/shared-vectors.ts).
 */
export interface StoredVector {
  hash: string;
  dimensions: number;
  /** base64 of the float32 little-endian bytes. */
  vector: string;
}

export async function readVectors(db: Queryable, model: string, hashes: readonly string[]): Promise<StoredVector[]> {
  if (hashes.length === 0) return [];
  const { rows } = await db.query<{ content_hash: string; dimensions: number; vector: string }>(
    `SELECT content_hash, dimensions, encode(vector, 'base64') AS vector FROM memory_vectors WHERE model = $1 AND content_hash = ANY($2::text[])`,
    [model, hashes],
  );
  // encode(…, 'base64') wraps lines every 76 characters.
  return rows.map((r) => ({ hash: r.content_hash, dimensions: Number(r.dimensions), vector: r.vector.replace(/\s+/g, '') }));
}

/** Adds vectors nobody stored yet (an existing one is never rewritten); returns how many were new. */
export async function addVectors(db: Queryable, model: string, entries: readonly StoredVector[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO memory_vectors (model, content_hash, dimensions, vector)
     SELECT $1, u.h, u.d, decode(u.v, 'base64') FROM unnest($2::text[], $3::int[], $4::text[]) AS u(h, d, v)
     ON CONFLICT (model, content_hash) DO NOTHING`,
    [model, entries.map((e) => e.hash), entries.map((e) => e.dimensions), entries.map((e) => e.vector)],
  );
  return rowCount ?? 0;
}

/** The vector exchange as the engine's transport carries it (a direct connection or the sync service). */
export interface CentralVectorStore {
  fetch(model: string, hashes: readonly string[]): Promise<StoredVector[]>;
  share(model: string, entries: readonly StoredVector[]): Promise<number>;
}
