import { z } from 'zod';
import { MEMORY_CONTENT_TYPES, type MemoryContentType } from '../../shared/enums';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { Clock } from '../common/time';
import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import { randomInt } from 'node:crypto';
import type { Embedder } from './embedders/types';
import type { SharedVectors } from './shared-vectors';
import type { VectorStore } from './store';
import { contentHash, embeddingInput } from './text';
import { checkVector, dot } from './vectors';

const log = createLogger('memory.indexer');

/** After this many failed attempts a row is parked as `failed` until the next reindex. */
export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 60 * 60_000;

export interface IndexProgress {
  model: string;
  total: number;
  /** Memory rows whose vector is from the active model and current. */
  indexed: number;
  pending: number;
  failed: number;
  lastError: string | null;
}

export interface BatchResult {
  embedded: number;
  refreshed: number;
  removed: number;
  failed: number;
  /** True when nothing is ready (empty, or every pending row waits for its retry time). */
  idle: boolean;
  error: string | null;
}

const pendingRowSchema = z.object({
  key: z.number().int(),
  memory_id: z.string(),
  model: z.string().nullable(),
  dimensions: z.number().int().nullable(),
  content_hash: z.string().nullable(),
  project_id: z.string().nullable(),
  attempts: z.number().int(),
  content: z.string().nullable(),
  content_type: z.enum(MEMORY_CONTENT_TYPES).nullable(),
  created_at: z.string().nullable(),
});
type PendingRow = z.infer<typeof pendingRowSchema>;

export interface AdoptResult {
  /** Vectors taken from the central exchange (checked, stored, row indexed). */
  adopted: number;
  /** Pending texts the exchange had no vector for: the embedding batches do them. */
  missing: number;
  /** Vectors refused: wrong dimension, not finite, or their batch failed the re-embedded sample. */
  rejected: number;
  /** Set when a re-embedded sample disagreed with its shared vector (the model's exchange is then distrusted). */
  mismatch: { model: string; hash: string; cosine: number } | null;
}

/** A shared vector and the same text embedded here must agree this closely (cosine) to be trusted. */
export const SAMPLE_AGREEMENT = 0.98;
/** A failed upload is not retried before this (an offline laptop must not wait on every batch). */
const SHARE_BACKOFF_MS = 5 * 60_000;

/**
 * Turns pending memory_index rows into vectors. Rows become pending through the migration's
 * triggers (any insert, text change or delete of a memory row, any path) or a model switch.
 * Work is taken in small batches so the local model never holds the event loop for long; a
 * failing provider backs off exponentially per row and is retried later, never dropped.
 */
export function createIndexer(db: SqliteDb, deps: { store: VectorStore; embedder: () => Embedder; clock: Clock; shared?: () => SharedVectors | null }) {
  const statements = createStatementCache(db);
  let lastError: string | null = null;
  /** Models whose shared vectors failed a sample check in this process: they are embedded here. */
  const distrusted = new Set<string>();
  let shareBlockedUntil = 0;

  const nowIso = () => deps.clock.now().toISOString();

  const ready = (limit: number): PendingRow[] =>
    (
      statements
        .get(
          `SELECT i.key, i.memory_id, i.model, i.dimensions, i.content_hash, i.project_id, i.attempts,
                  m.content, m.content_type, m.created_at
           FROM memory_index i LEFT JOIN memory_embeddings m ON m.id = i.memory_id
           WHERE i.state = 'pending' AND (i.next_attempt_at IS NULL OR i.next_attempt_at <= ?)
           ORDER BY i.key LIMIT ?`,
        )
        .all(nowIso(), limit) as unknown[]
    ).map((r) => pendingRowSchema.parse(r));

  const markIndexed = (key: number, model: string, dims: number, hash: string) =>
    statements
      .get(
        `UPDATE memory_index SET state = 'indexed', model = ?, dimensions = ?, content_hash = ?, attempts = 0, next_attempt_at = NULL,
         last_error = NULL, indexed_at = ? WHERE key = ?`,
      )
      .run(model, dims, hash, nowIso(), key);

  function fail(rows: PendingRow[], message: string): void {
    lastError = message;
    const now = deps.clock.now().getTime();
    db.transaction(() => {
      for (const row of rows) {
        const attempts = row.attempts + 1;
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
        statements
          .get('UPDATE memory_index SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE key = ? AND state = ?')
          .run(attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', attempts, new Date(now + delay).toISOString(), message, row.key, 'pending');
      }
    })();
  }

  /** Indexes up to `size` ready rows. Never throws for a provider or data problem: it records it. */
  async function runBatch(size: number): Promise<BatchResult> {
    const result: BatchResult = { embedded: 0, refreshed: 0, removed: 0, failed: 0, idle: false, error: null };
    const rows = ready(size);
    if (rows.length === 0) return { ...result, idle: true };
    const embedder = deps.embedder();
    const toEmbed: { row: PendingRow; input: string; hash: string }[] = [];
    db.transaction(() => {
      for (const row of rows) {
        if (row.content === null || row.content_type === null || row.created_at === null) {
          // The memory row is gone: drop its vector and its index row.
          deps.store.remove(row.key);
          statements.get('DELETE FROM memory_index WHERE key = ?').run(row.key);
          result.removed += 1;
          continue;
        }
        const input = embeddingInput(row.content);
        const hash = contentHash(input);
        if (row.model === embedder.model && row.content_hash === hash && row.dimensions !== null) {
          // Same text, same model: only the filter columns (type, project, date) may have moved.
          deps.store.setMetadata(row.dimensions, row.key, { contentType: row.content_type, projectId: row.project_id ?? '', createdAt: row.created_at });
          markIndexed(row.key, embedder.model, row.dimensions, hash);
          result.refreshed += 1;
          continue;
        }
        toEmbed.push({ row, input, hash });
      }
    })();
    if (toEmbed.length === 0) return result;

    let vectors: Float32Array[];
    try {
      vectors = await embedder.embed(toEmbed.map((t) => t.input));
      if (vectors.length !== toEmbed.length) throw new AppError('INTERNAL', `embedder returned ${vectors.length} vectors for ${toEmbed.length} texts`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn('embedding failed; will retry later', { model: embedder.model, rows: toEmbed.length, error: message });
      fail(
        toEmbed.map((t) => t.row),
        message,
      );
      return { ...result, failed: toEmbed.length, error: message };
    }

    if (!db.open) return result; // the replica was closed while the model ran
    const stored: { hash: string; vector: Float32Array }[] = [];
    db.transaction(() => {
      toEmbed.forEach(({ row, hash }, i) => {
        const vector = vectors[i];
        // The text may have changed while the model ran: then the row is pending again with a new
        // text, and this vector is stale. Check and skip rather than store it.
        const current = statements.get('SELECT m.content, m.content_type, m.created_at, i.project_id FROM memory_index i JOIN memory_embeddings m ON m.id = i.memory_id WHERE i.key = ?').get(row.key) as
          | { content: string; content_type: MemoryContentType; created_at: string; project_id: string | null }
          | undefined;
        if (!vector || !current || contentHash(embeddingInput(current.content)) !== hash) return;
        deps.store.put({ key: row.key, model: embedder.model, vector, contentType: current.content_type, projectId: current.project_id ?? '', createdAt: current.created_at });
        markIndexed(row.key, embedder.model, vector.length, hash);
        stored.push({ hash, vector });
        result.embedded += 1;
      });
    })();
    lastError = null;
    await share(embedder.model, stored);
    return result;
  }

  /** Offers what this replica embedded to the others; best effort (offline is normal). */
  async function share(model: string, entries: { hash: string; vector: Float32Array }[]): Promise<void> {
    const source = deps.shared?.();
    if (!source || entries.length === 0 || Date.now() < shareBlockedUntil) return;
    try {
      await source.share(model, entries);
    } catch (error) {
      shareBlockedUntil = Date.now() + SHARE_BACKOFF_MS;
      log.warn('could not share vectors with the central database; will try again later', { model, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Takes the pending rows' vectors from the central exchange instead of embedding them. Each is
   * checked: the model is the lookup's, the content hash is of this replica's own text, the
   * dimension must be the model's, every value finite and not all zero; and in every batch one
   * vector, chosen at random, is embedded again here and must agree (cosine ≥ SAMPLE_AGREEMENT).
   * On a disagreement nothing of that batch is stored, the model's shared vectors are distrusted
   * for the rest of this process (everything is embedded locally, as without the exchange), and
   * the hash is logged so an administrator can delete the bad row; rows are never overwritten.
   */
  async function adoptShared(options: { batchSize?: number; signal?: AbortSignal } = {}): Promise<AdoptResult> {
    const total: AdoptResult = { adopted: 0, missing: 0, rejected: 0, mismatch: null };
    const source = deps.shared?.();
    const embedder = deps.embedder();
    if (!source || distrusted.has(embedder.model)) return total;
    const batchSize = options.batchSize ?? 2_000;
    let afterKey = -1;
    for (;;) {
      if (options.signal?.aborted || !db.open) return total;
      const rows = (
        statements
          .get(
            `SELECT i.key, i.memory_id, i.model, i.dimensions, i.content_hash, i.project_id, i.attempts, m.content, m.content_type, m.created_at
             FROM memory_index i JOIN memory_embeddings m ON m.id = i.memory_id
             WHERE i.state = 'pending' AND i.key > ? ORDER BY i.key LIMIT ?`,
          )
          .all(afterKey, batchSize) as unknown[]
      ).map((r) => pendingRowSchema.parse(r));
      if (rows.length === 0) return total;
      afterKey = rows[rows.length - 1]?.key ?? afterKey;
      const wanted = rows
        .filter((r) => r.content !== null && r.content_type !== null && r.created_at !== null)
        .map((row) => {
          const input = embeddingInput(row.content ?? '');
          return { row, input, hash: contentHash(input) };
        })
        .filter((w) => !(w.row.model === embedder.model && w.row.content_hash === w.hash));
      let fetched: Awaited<ReturnType<SharedVectors['fetch']>>;
      try {
        fetched = await source.fetch(embedder.model, [...new Set(wanted.map((w) => w.hash))]);
      } catch (error) {
        log.warn('could not read shared vectors; embedding locally', { model: embedder.model, error: error instanceof Error ? error.message : String(error) });
        return total;
      }
      const found = wanted.filter((w) => fetched.has(w.hash));
      total.missing += wanted.length - found.length;
      if (found.length === 0) continue;
      // Structure first: the declared dimension is the vector's, every value finite, not all zero.
      const checked = new Map<string, Float32Array>();
      for (const w of found) {
        if (checked.has(w.hash)) continue;
        const got = fetched.get(w.hash);
        try {
          if (!got || got.dimensions !== got.vector.length) throw new Error('dimension');
          checked.set(w.hash, checkVector(got.vector, got.dimensions, 'shared vector'));
        } catch {
          total.rejected += 1;
        }
      }
      // The sample comes from the most common dimension: one stray vector of another length (a
      // corrupted row) must not make the whole exchange look like another model's.
      const byLength = new Map<number, number>();
      for (const vector of checked.values()) byLength.set(vector.length, (byLength.get(vector.length) ?? 0) + 1);
      const usual = [...byLength].sort((a, b) => b[1] - a[1])[0]?.[0];
      const candidates = found.filter((w) => checked.get(w.hash)?.length === usual);
      if (candidates.length === 0) continue;
      // Then meaning: one of them, at random, embedded here must agree with the shared one.
      const sample = candidates[randomInt(candidates.length)] as (typeof candidates)[number];
      let reference: Float32Array | undefined;
      try {
        [reference] = await embedder.embed([sample.input]);
      } catch (error) {
        log.warn('could not embed a sample to check shared vectors; embedding later', { model: embedder.model, error: error instanceof Error ? error.message : String(error) });
        return total;
      }
      if (!reference) return total;
      const sampleVector = checked.get(sample.hash) as Float32Array;
      const cosine = sampleVector.length === reference.length ? dot(sampleVector, checkVector(reference, reference.length, 'sample vector')) : -1;
      if (cosine < SAMPLE_AGREEMENT) {
        distrusted.add(embedder.model);
        total.rejected += checked.size;
        total.mismatch = { model: embedder.model, hash: sample.hash, cosine };
        log.warn('a shared vector disagrees with this replica’s own embedding; not taking shared vectors for this model', total.mismatch);
        return total;
      }
      // The model's dimension is the sample's: a vector of another length is not this model's.
      const dimensions = reference.length;
      for (const [hash, vector] of checked) {
        if (vector.length === dimensions) continue;
        checked.delete(hash);
        total.rejected += 1;
      }
      if (!db.open) return total;
      db.transaction(() => {
        for (const w of found) {
          const vector = checked.get(w.hash);
          if (!vector) continue;
          // The text may have changed since it was read: then this vector is not its vector.
          const now = statements.get('SELECT m.content, m.content_type, m.created_at, i.project_id, i.state FROM memory_index i JOIN memory_embeddings m ON m.id = i.memory_id WHERE i.key = ?').get(w.row.key) as
            | { content: string; content_type: MemoryContentType; created_at: string; project_id: string | null; state: string }
            | undefined;
          if (!now || now.state !== 'pending' || contentHash(embeddingInput(now.content)) !== w.hash) continue;
          deps.store.put({ key: w.row.key, model: embedder.model, vector, contentType: now.content_type, projectId: now.project_id ?? '', createdAt: now.created_at });
          markIndexed(w.row.key, embedder.model, dimensions, w.hash);
          total.adopted += 1;
        }
      })();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  return {
    runBatch,
    adoptShared,

    /** Processes every ready row (yielding between batches); stops at the first provider failure. */
    async drain(options: { batchSize?: number; onBatch?: (r: BatchResult) => void; signal?: AbortSignal } = {}): Promise<BatchResult> {
      const total: BatchResult = { embedded: 0, refreshed: 0, removed: 0, failed: 0, idle: true, error: null };
      for (;;) {
        if (options.signal?.aborted) return { ...total, idle: false };
        const r = await runBatch(options.batchSize ?? 8);
        total.embedded += r.embedded;
        total.refreshed += r.refreshed;
        total.removed += r.removed;
        total.failed += r.failed;
        options.onBatch?.(r);
        if (r.error) return { ...total, idle: false, error: r.error };
        if (r.idle) return total;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },

    /** Queues every row whose vector is not from `model` (a model switch re-embeds in the background). */
    requeueOtherModels(model: string): number {
      return statements.get("UPDATE memory_index SET state = 'pending', attempts = 0, next_attempt_at = NULL WHERE model IS NOT ? OR state = 'failed'").run(model).changes;
    },

    /** Retry everything now (reindex): failed rows and rows waiting for their backoff. */
    retryAll(): number {
      return statements.get("UPDATE memory_index SET state = 'pending', attempts = 0, next_attempt_at = NULL WHERE state != 'indexed'").run().changes;
    },

    /** When the earliest waiting row becomes ready (null: nothing waits). */
    nextAttemptAt(): string | null {
      const row = statements.get("SELECT min(next_attempt_at) AS at FROM memory_index WHERE state = 'pending'").get() as { at: string | null };
      return row.at;
    },

    progress(model: string): IndexProgress {
      const row = statements
        .get(
          `SELECT count(*) AS total,
                  coalesce(sum(state = 'indexed' AND model = ?), 0) AS indexed,
                  coalesce(sum(state = 'pending'), 0) AS pending,
                  coalesce(sum(state = 'failed'), 0) AS failed,
                  (SELECT last_error FROM memory_index WHERE last_error IS NOT NULL ORDER BY key DESC LIMIT 1) AS last_error
           FROM memory_index i WHERE EXISTS (SELECT 1 FROM memory_embeddings m WHERE m.id = i.memory_id)`,
        )
        .get(model) as { total: number; indexed: number; pending: number; failed: number; last_error: string | null };
      return { model, total: row.total, indexed: row.indexed, pending: row.pending, failed: row.failed, lastError: lastError ?? row.last_error };
    },
  };
}
