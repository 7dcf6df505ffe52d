import type { MemoryContentType } from '../../shared/enums';
import type { SqliteDb } from '../database/open';
import { createStatementCache, type StatementCache } from '../database/statements';
import { signBits, vecTable, type VectorStore } from './store';
import { vectorBlob } from './vectors';

export interface VectorFilters {
  types?: readonly MemoryContentType[];
  projectId?: string;
  from?: string;
  toExclusive?: string;
}

export interface KnnHit {
  key: number;
  /** Cosine distance (1 − cosine similarity). */
  distance: number;
}

export type KnnStrategy = 'auto' | 'exact' | 'binary';

/** Below this many vectors vec0's exact float scan is about as fast and loses nothing. */
export const EXACT_LIMIT = 5_000;
/** Hamming candidates rescored per result wanted (measured in bench/memory-search.ts). */
export const CANDIDATES_PER_RESULT = 16;
const MIN_CANDIDATES = 160;

const caches = new WeakMap<SqliteDb, StatementCache>();
const cacheFor = (db: SqliteDb): StatementCache => {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = createStatementCache(db)));
  return c;
};

/** vec0's own KNN over the float vectors: exact, filters pushed into the scan. */
export function exactKnn(db: SqliteDb, model: string, vector: Float32Array, k: number, filters: VectorFilters): KnnHit[] {
  const where = ['embedding MATCH ?', 'k = ?', 'model = ?'];
  const params: (string | number | Buffer)[] = [vectorBlob(vector), Math.min(k, 4096), model];
  if (filters.types) {
    where.push(`content_type IN (${filters.types.map(() => '?').join(', ')})`);
    params.push(...filters.types);
  }
  if (filters.projectId !== undefined) {
    where.push('project_id = ?');
    params.push(filters.projectId);
  }
  if (filters.from !== undefined) {
    where.push('created_at >= ?');
    params.push(filters.from);
  }
  if (filters.toExclusive !== undefined) {
    where.push('created_at < ?');
    params.push(filters.toExclusive);
  }
  const sql = `SELECT rowid AS key, distance FROM ${vecTable(vector.length)} WHERE ${where.join(' AND ')} ORDER BY distance`;
  return cacheFor(db).get(sql).all(...params) as KnnHit[];
}

/**
 * Nearest memories of one model. Small sets use vec0's exact scan; large ones take Hamming
 * candidates from the in-memory sign-bit index and rescore them exactly with the float vectors
 * read from vec0 by rowid. Vectors of other models are never read (model is vec0's partition key
 * and the binary index is per model).
 */
export function knn(
  db: SqliteDb,
  store: VectorStore,
  q: { model: string; vector: Float32Array; k: number; filters?: VectorFilters; strategy?: KnnStrategy; candidates?: number },
): KnnHit[] {
  const dims = q.vector.length;
  if (!store.exists(dims)) return [];
  const filters = q.filters ?? {};
  const strategy = q.strategy ?? 'auto';
  const index = strategy === 'exact' ? null : store.binaryIndex(dims, q.model);
  if (!index || (strategy === 'auto' && index.count <= EXACT_LIMIT)) return exactKnn(db, q.model, q.vector, q.k, filters);
  const keys = index.candidates(signBits(q.vector), q.candidates ?? Math.max(MIN_CANDIDATES, q.k * CANDIDATES_PER_RESULT), filters);
  const rescore = cacheFor(db).get(`SELECT vec_distance_cosine(embedding, ?) AS distance FROM ${vecTable(dims)} WHERE rowid = ?`);
  const blob = vectorBlob(q.vector);
  const hits: KnnHit[] = [];
  for (const key of keys) {
    const row = rescore.get(blob, BigInt(key)) as { distance: number } | undefined;
    if (row) hits.push({ key, distance: row.distance });
  }
  return hits.sort((a, b) => a.distance - b.distance).slice(0, q.k);
}
