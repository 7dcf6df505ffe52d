import { z } from 'zod';
import type { MemoryContentType } from '../../shared/enums';
import {
  duplicatesInput,
  noteAddInput,
  similarTasksInput,
  type MemoryProgress,
  type MemoryResult,
  type MemorySearchOutput,
} from '../../shared/memory';
import type { ServiceContext } from '../mutations/context';
import { AppError, notFound, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { createLogger } from '../common/logger';
import { num, str, strOrNull } from '../common/rows';
import { createEmbedder, DEFAULT_EMBEDDER, embedderConfigSchema, type EmbedderConfig } from './embedders/config';
import type { Embedder } from './embedders/types';
import { createIndexer, type AdoptResult, type BatchResult } from './indexer';
import type { SharedVectors } from './shared-vectors';
import { createSearch } from './search';
import { createMemorySources, type SourceTable } from './sources';
import { createVectorStore } from './store';
import { commentContent, MAX_NOTE_CHARS } from './text';
import { memoryFields } from './sources';

const log = createLogger('memory');
const SETTING = 'memory.embedder';
const IDLE_POLL_MS = 30_000;

export interface MemoryOptions {
  /** Overrides the replica's stored embedder choice (tests, benches). */
  embedder?: EmbedderConfig;
  /** The API key of an OpenAI-compatible provider (environment in the CLI, safeStorage on the desktop). */
  apiKey?: () => string | undefined;
  /** Texts per embedding call; small for the local model so the event loop is never held long. */
  batchSize?: number;
}

export interface ReindexReport {
  model: string;
  sourcesWritten: number;
  queued: number;
  result: BatchResult | null;
}

/**
 * Semantic memory (docs/decisions.md, the memory entries): memory rows follow their sources on the write path, an indexer
 * embeds them in the background, and search fuses FTS5 and vector KNN.
 */
export function createMemory(ctx: ServiceContext, options: MemoryOptions = {}) {
  const { db, writer, session, statements } = ctx;
  let apiKey = options.apiKey ?? (() => undefined);

  const storedConfig = (): EmbedderConfig => {
    const raw = session.getSetting(SETTING);
    if (!raw) return DEFAULT_EMBEDDER;
    try {
      const parsed = embedderConfigSchema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: an unreadable setting means the default model
    }
    log.warn('stored embedder setting is unreadable; using the local model');
    return DEFAULT_EMBEDDER;
  };
  let config: EmbedderConfig = options.embedder ?? storedConfig();
  let embedder: Embedder = createEmbedder(config, apiKey());
  const current = () => embedder;

  const store = createVectorStore(db);
  const sources = createMemorySources(db, { model: () => embedder.model });
  let shared: SharedVectors | null = null;
  const indexer = createIndexer(db, { store, embedder: current, clock: ctx.clock, shared: () => shared });
  const search = createSearch(db, { store, embedder: current });
  const batchSize = options.batchSize ?? (config.provider === 'local' ? 4 : 64);

  const progressListeners = new Set<(p: MemoryProgress) => void>();
  const status = (): MemoryProgress => indexer.progress(embedder.model);
  const emit = () => {
    if (progressListeners.size === 0) return;
    const p = status();
    for (const l of progressListeners) l(p);
  };

  const memoryRow = (id: string) => writer.get('memory_embeddings', id);

  // ---- background work (desktop) ----
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;
  let controller: AbortController | null = null;
  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref?.();
  };
  async function tick(): Promise<void> {
    if (running || stopped) return;
    controller = new AbortController();
    running = (async () => {
      const result = await work({ onBatch: emit, signal: controller?.signal });
      if (result.error) {
        const next = indexer.nextAttemptAt();
        schedule(next ? Math.max(1_000, Date.parse(next) - Date.now()) : 30_000);
      } else {
        // Pulled rows queue themselves through triggers without waking anyone: look again soon.
        schedule(IDLE_POLL_MS);
      }
    })()
      .catch((error: unknown) => log.error('indexing failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = null;
      });
    await running;
  }

  // Local writes to memory or its sources wake the background worker (pulled rows: see `nudge`).
  const WATCHED = new Set(['memory_embeddings', 'tasks', 'comments', 'projects']);
  writer.onCommit((changes) => {
    if (!stopped && changes.some((c) => WATCHED.has(c.table))) schedule(250);
  });

  /** Derive memory rows for queued sources, then embed what is pending. */
  async function work(opts: { onBatch?: (r: BatchResult) => void; signal?: AbortSignal } = {}): Promise<BatchResult & { sourcesWritten: number; shared: AdoptResult }> {
    let sourcesWritten = 0;
    for (;;) {
      if (opts.signal?.aborted || !db.open) break;
      const { taken, written } = sources.processQueue(writer);
      sourcesWritten += written;
      if (taken === 0) break;
      await new Promise((resolve) => setImmediate(resolve)); // one chunk per turn of the event loop
    }
    // Vectors another replica (or the server's indexer) already computed first; embed the rest.
    const adopted = await indexer.adoptShared({ signal: opts.signal });
    if (adopted.adopted > 0) emit();
    const result = await indexer.drain({ batchSize, onBatch: opts.onBatch, signal: opts.signal });
    return { ...result, sourcesWritten, shared: adopted };
  }

  return {
    model: () => embedder.model,
    config: () => config,
    status,
    onProgress(listener: (p: MemoryProgress) => void): () => void {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    useApiKey(fn: () => string | undefined): void {
      apiKey = fn;
      embedder = createEmbedder(config, apiKey());
    },

    search: (input: unknown): Promise<MemorySearchOutput> => search.search(input),

    /**
     * Without the background worker (CLI, test harnesses) index what is pending before answering;
     * with it, answer at once from what is indexed (the worker catches up within seconds).
     */
    async ensureFresh(): Promise<void> {
      if (stopped) await work();
    },

    /** Tasks whose meaning is close to this task's (its stored vector, or its text embedded now). */
    async similarTasks(raw: unknown): Promise<MemoryResult[]> {
      const input = parseInput(similarTasksInput, raw, 'similar tasks request');
      const task = writer.get('tasks', input.taskId);
      if (!task) throw notFound('task', input.taskId);
      const mem = statements.get("SELECT i.key, i.dimensions, m.content FROM memory_embeddings m JOIN memory_index i ON i.memory_id = m.id WHERE m.source_table = 'tasks' AND m.source_id = ?").get(input.taskId) as
        | { key: number; dimensions: number | null; content: string }
        | undefined;
      const e = current();
      const stored = mem?.dimensions ? store.vectorOf(mem.dimensions, mem.key, e.model) : null;
      const vector = stored ?? (await search.embedQuery(e, mem?.content ?? `${str(task.title)}\n${str(task.description)}`));
      const k = input.k ?? 5;
      const { ranked, rows } = await search.vectorRanks(e, vector, { types: ['task'] }, k, mem?.key);
      return search.assemble([], { text: [], vector: ranked }, rows, k);
    },

    /** Existing tasks that a new task (not yet saved) may duplicate. */
    async duplicates(raw: unknown): Promise<MemoryResult[]> {
      const input = parseInput(duplicatesInput, raw, 'duplicate check');
      const e = current();
      const vector = await search.embedQuery(e, input.description ? `${input.title}\n${input.description}` : input.title);
      const k = input.k ?? 5;
      const { ranked, rows } = await search.vectorRanks(e, vector, { types: ['task'] }, k);
      return search.assemble([], { text: [], vector: ranked }, rows, k);
    },

    /** A free note (or a memory of another type without a source). */
    addNote(raw: unknown): { id: string; contentType: MemoryContentType; content: string; keywords: string[]; summary: string | null } {
      const input = parseInput(noteAddInput, raw, 'note');
      const content = commentContent(input.text);
      if (content.length > MAX_NOTE_CHARS) throw new AppError('VALIDATION', `Invalid note: text must be at most ${MAX_NOTE_CHARS} characters`);
      const id = newId();
      const fields = memoryFields(content);
      writer.insert('memory_embeddings', {
        id,
        ...fields,
        content_type: input.type ?? 'note',
        source_table: null,
        source_id: null,
        access_count: 0,
        last_accessed: null,
        similarity_threshold: 0.7,
        embedding_model: embedder.model,
        created_at: writer.now,
        updated_at: writer.now,
      });
      schedule(0);
      return { id, contentType: input.type ?? 'note', content, keywords: z.array(z.string()).parse(JSON.parse(str(fields.keywords))), summary: strOrNull(fields.summary) };
    },

    deleteNote(id: string): { id: string } {
      const row = memoryRow(id);
      if (!row) throw notFound('memory', id);
      if (row.source_table !== null) throw new AppError('CONFLICT', 'This memory follows a task, comment or project; change or delete that instead');
      writer.delete('memory_embeddings', id);
      return { id };
    },

    /** A result was opened: count it (access_count, last_accessed sync like any edit). */
    open(id: string) {
      const row = memoryRow(id);
      if (!row) throw notFound('memory', id);
      const changed = writer.update('memory_embeddings', id, { access_count: num(row.access_count) + 1, last_accessed: writer.now });
      const after = changed?.after ?? row;
      const sourceTable = strOrNull(after.source_table);
      const sourceId = strOrNull(after.source_id);
      const taskId =
        sourceTable === 'tasks' ? sourceId : sourceTable === 'comments' && sourceId ? strOrNull(writer.get('comments', sourceId)?.task_id) : null;
      return { id, sourceTable, sourceId, taskId, accessCount: num(after.access_count), lastAccessed: strOrNull(after.last_accessed) };
    },

    /** Derives the memory rows of every queued source now (synchronously); returns how many changed. */
    refreshSources(): number {
      let written = 0;
      for (let r = sources.processQueue(writer); r.taken > 0; r = sources.processQueue(writer)) written += r.written;
      return written;
    },

    /** Derives queued memory rows and indexes everything pending now (the CLI has no background worker). */
    drain: (): Promise<BatchResult & { sourcesWritten: number; shared: AdoptResult }> => work(),

    /** Takes and shares vectors through the central database (null: this replica embeds alone). */
    useSharedVectors(source: SharedVectors | null): void {
      shared = source;
    },

    /**
     * Brings memory rows up to date with their sources, and (with `model`) switches the replica to
     * another embedding model: every vector is re-embedded, old ones are never compared with new.
     */
    async reindex(opts: { model?: EmbedderConfig; wait?: boolean } = {}): Promise<ReindexReport> {
      if (opts.model) {
        const next = embedderConfigSchema.parse(opts.model);
        const candidate = createEmbedder(next, apiKey());
        config = next;
        embedder = candidate;
        if (!options.embedder) session.setSetting(SETTING, JSON.stringify(next));
      }
      let sourcesWritten = 0;
      for (let r = sources.processQueue(writer); r.taken > 0; r = sources.processQueue(writer)) sourcesWritten += r.written;
      sourcesWritten += sources.backfill(writer);
      const queued = indexer.requeueOtherModels(embedder.model) + indexer.retryAll();
      emit();
      const result = opts.wait === false ? null : await indexer.drain({ batchSize, onBatch: emit });
      if (opts.wait === false) schedule(0);
      return { model: embedder.model, sourcesWritten, queued, result };
    },

    /** Desktop: index in the background, nudged by local writes and retried after failures. */
    start(): void {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    /** Run a pass soon (after a sync brought rows, or a write). */
    nudge(): void {
      schedule(250);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
      await running;
    },
    sourceOf: (table: SourceTable, id: string) =>
      statements.get('SELECT id FROM memory_embeddings WHERE source_table = ? AND source_id = ?').get(table, id) as { id: string } | undefined,
  };
}
