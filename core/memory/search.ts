import { z } from 'zod';
import { MEMORY_CONTENT_TYPES, type MemoryContentType } from '../../shared/enums';
import { memorySearchInput, type MemoryResult, type MemorySearchOutput } from '../../shared/memory';
import { parseInput } from '../common/errors';
import { createLogger } from '../common/logger';
import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import type { Embedder } from './embedders/types';
import { ftsQuery, queryTerms } from './fts-query';
import { snippet } from './highlight';
import { knn, type VectorFilters } from './knn';
import type { VectorStore } from './store';
import { embeddingInput } from './text';

const log = createLogger('memory.search');

/** Reciprocal rank fusion constant (Cormack et al.): damps the weight of the very top ranks. */
const RRF_K = 60;
/** Text hits below this fraction of the best BM25 score are dropped. */
const BM25_RELATIVE_CUT = 0.5;

export interface Filters {
  types?: MemoryContentType[];
  projectId?: string;
  from?: string;
  to?: string;
}

const joinedRowSchema = z.object({
  key: z.number().int(),
  id: z.string(),
  content: z.string(),
  content_type: z.enum(MEMORY_CONTENT_TYPES),
  source_table: z.string().nullable(),
  source_id: z.string().nullable(),
  project_id: z.string().nullable(),
  task_id: z.string().nullable(),
  similarity_threshold: z.number(),
  created_at: z.string(),
});
type JoinedRow = z.infer<typeof joinedRowSchema>;

const nextDay = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function toVectorFilters(f: Filters): VectorFilters {
  return { types: f.types, projectId: f.projectId, from: f.from, toExclusive: f.to ? nextDay(f.to) : undefined };
}

/**
 * Hybrid search: BM25 over FTS5 and KNN over the active model's vectors, fused by reciprocal
 * rank. A vector match counts only when its calibrated similarity reaches the memory's
 * `similarity_threshold`; a text match always counts (the words are there).
 */
export function createSearch(db: SqliteDb, deps: { store: VectorStore; embedder: () => Embedder }) {
  const statements = createStatementCache(db);
  const queryCache = new Map<string, Float32Array>();

  async function embedQuery(embedder: Embedder, text: string): Promise<Float32Array> {
    const cacheKey = `${embedder.model}\u0000${text}`;
    const hit = queryCache.get(cacheKey);
    if (hit) return hit;
    const [vector] = await embedder.embed([embeddingInput(text)]);
    if (!vector) throw new Error('the embedder returned no vector');
    if (queryCache.size >= 64) queryCache.delete(queryCache.keys().next().value ?? '');
    queryCache.set(cacheKey, vector);
    return vector;
  }

  function textRanks(query: string, filters: Filters, depth: number): number[] {
    const match = ftsQuery(query);
    if (!match) return [];
    const where: string[] = ['memory_fts MATCH ?'];
    const params: (string | number)[] = [match];
    if (filters.types) {
      where.push(`m.content_type IN (${filters.types.map(() => '?').join(', ')})`);
      params.push(...filters.types);
    }
    if (filters.projectId) {
      where.push('i.project_id = ?');
      params.push(filters.projectId);
    }
    if (filters.from) {
      where.push('m.created_at >= ?');
      params.push(filters.from);
    }
    if (filters.to) {
      where.push('m.created_at < ?');
      params.push(nextDay(filters.to));
    }
    params.push(depth);
    const sql = `SELECT f.rowid AS key, bm25(memory_fts, 1.0, 0.6, 0.4) AS rank FROM memory_fts f JOIN memory_index i ON i.key = f.rowid JOIN memory_embeddings m ON m.id = i.memory_id
      WHERE ${where.join(' AND ')} ORDER BY rank LIMIT ?`;
    const rows = statements.get(sql).all(...params) as { key: number; rank: number }[];
    const best = rows[0]?.rank ?? 0;
    // bm25() is negative, better is lower. A hit scoring under half the best matched only weak,
    // common words; it would add noise at the fusion's full weight (measured in memory-quality).
    return rows.filter((r) => r.rank <= best * BM25_RELATIVE_CUT).map((r) => r.key);
  }

  function rowsByKey(keys: number[]): Map<number, JoinedRow> {
    if (keys.length === 0) return new Map();
    const rows = statements
      .get(
        `SELECT i.key, m.id, m.content, m.content_type, m.source_table, m.source_id, nullif(i.project_id, '') AS project_id,
                CASE m.source_table WHEN 'tasks' THEN m.source_id WHEN 'comments' THEN (SELECT task_id FROM comments WHERE id = m.source_id) END AS task_id,
                m.similarity_threshold, m.created_at
         FROM memory_index i JOIN memory_embeddings m ON m.id = i.memory_id WHERE i.key IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(keys)) as unknown[];
    return new Map(rows.map((r) => joinedRowSchema.parse(r)).map((r) => [r.key, r]));
  }

  /** Vector neighbours of `vector` under `filters`, with calibrated similarity, threshold applied. */
  async function vectorRanks(embedder: Embedder, vector: Float32Array, filters: Filters, depth: number, excludeKey?: number) {
    const hits = knn(db, deps.store, { model: embedder.model, vector, k: depth + (excludeKey === undefined ? 0 : 1), filters: toVectorFilters(filters) });
    const rows = rowsByKey(hits.map((h) => h.key));
    const ranked: { key: number; similarity: number }[] = [];
    for (const hit of hits) {
      const row = rows.get(hit.key);
      if (!row || hit.key === excludeKey) continue;
      const similarity = embedder.calibrate(1 - hit.distance);
      if (similarity >= row.similarity_threshold) ranked.push({ key: hit.key, similarity });
    }
    return { ranked: ranked.slice(0, depth), rows };
  }

  function assemble(
    terms: string[],
    lists: { text: number[]; vector: { key: number; similarity: number }[] },
    rows: Map<number, JoinedRow>,
    k: number,
  ): MemoryResult[] {
    const fused = new Map<number, { score: number; similarity: number | null; matchedBy: ('text' | 'vector')[] }>();
    const entry = (key: number) => {
      let e = fused.get(key);
      if (!e) fused.set(key, (e = { score: 0, similarity: null, matchedBy: [] }));
      return e;
    };
    lists.text.forEach((key, rank) => {
      const e = entry(key);
      e.score += 1 / (RRF_K + rank + 1);
      e.matchedBy.push('text');
    });
    lists.vector.forEach(({ key, similarity }, rank) => {
      const e = entry(key);
      e.score += 1 / (RRF_K + rank + 1);
      e.similarity = similarity;
      e.matchedBy.push('vector');
    });
    return [...fused.entries()]
      .filter(([key]) => rows.has(key))
      .sort((a, b) => b[1].score - a[1].score || (b[1].similarity ?? 0) - (a[1].similarity ?? 0))
      .slice(0, k)
      .map(([key, e]) => {
        const row = rows.get(key) as JoinedRow;
        return {
          id: row.id,
          contentType: row.content_type,
          sourceTable: row.source_table,
          sourceId: row.source_id,
          taskId: row.task_id,
          projectId: row.project_id,
          content: row.content,
          snippet: snippet(row.content, terms),
          score: Number(e.score.toFixed(6)),
          similarity: e.similarity === null ? null : Number(e.similarity.toFixed(4)),
          matchedBy: e.matchedBy,
          createdAt: row.created_at,
        };
      });
  }

  return {
    embedQuery,
    vectorRanks,
    rowsByKey,
    assemble,

    async search(raw: unknown): Promise<MemorySearchOutput> {
      const input = parseInput(memorySearchInput, raw, 'search');
      const k = input.k ?? 10;
      const mode = input.mode ?? 'hybrid';
      const depth = Math.max(50, k * 5);
      const filters: Filters = { types: input.types, projectId: input.projectId, from: input.from, to: input.to };
      const text = mode === 'vector' ? [] : textRanks(input.query, filters, depth);
      let vector: { key: number; similarity: number }[] = [];
      let rows = new Map<number, JoinedRow>();
      let degraded: string | null = null;
      if (mode !== 'text') {
        const embedder = deps.embedder();
        try {
          const q = await embedQuery(embedder, input.query);
          ({ ranked: vector, rows } = await vectorRanks(embedder, q, filters, depth));
        } catch (error) {
          // Offline with a remote model, or the model failed to load: words still find things.
          degraded = `Meaning-based search is unavailable (${error instanceof Error ? error.message : String(error)}); showing word matches only`;
          log.warn('vector search skipped', { error: degraded });
        }
      }
      const missing = text.filter((key) => !rows.has(key));
      for (const [key, row] of rowsByKey(missing)) rows.set(key, row);
      return { results: assemble(queryTerms(input.query), { text, vector }, rows, k), degraded };
    },
  };
}
