import { v5 as uuidv5 } from 'uuid';
import type { MemoryContentType } from '../../shared/enums';
import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import type { Row, WriteApi } from '../mutations/types';

export type TransactionalWriter = WriteApi & { transaction<T>(fn: () => T): T };
import { str, strOrNull } from '../common/rows';
import { commentContent, contentHash, keywords, projectContent, summary, taskContent } from './text';

/** Fixed namespace for memory ids derived from their source (see `memoryIdFor`). */
const MEMORY_NAMESPACE = '6f1c2a3e-58b4-4d0e-9a57-0d3c6f9b2e71';

/**
 * Memory rows are insert-only (docs/decisions.md): a source whose text changes gets a new memory row and
 * the old one is deleted, so concurrent edits on two replicas never meet as a text conflict on
 * derived data. The id is derived from the source and its text, so replicas that derive the same
 * memory (each backfilling a task that arrived without one) converge on one row centrally.
 */
export const memoryIdFor = (table: SourceTable, id: string, content: string): string => uuidv5(`${table}:${id}:${contentHash(content)}`, MEMORY_NAMESPACE);

export const SOURCE_TABLES = ['tasks', 'comments', 'projects'] as const;
export type SourceTable = (typeof SOURCE_TABLES)[number];
const isSource = (t: string): t is SourceTable => (SOURCE_TABLES as readonly string[]).includes(t);

const TYPE_OF: Record<SourceTable, MemoryContentType> = { tasks: 'task', comments: 'comment', projects: 'project' };

export function contentOf(table: SourceTable, row: Row): string {
  switch (table) {
    case 'tasks':
      return taskContent(str(row.title), strOrNull(row.description));
    case 'projects':
      return projectContent(str(row.name), strOrNull(row.description));
    case 'comments':
      return commentContent(str(row.content));
  }
}

/** The synced columns of a memory row for `content` (keywords and summary derived here, once). */
export function memoryFields(content: string): Row {
  return { content, keywords: JSON.stringify(keywords(content)), summary: summary(content) || null };
}

export interface SourcesOptions {
  /** The model this replica embeds with, recorded on rows it writes. */
  model: () => string;
}

/**
 * Keeps memory rows in step with their sources. Triggers queue every source whose text changed
 * (any path); the memory worker drains the queue through the write path, so memory rows sync
 * like any row without making every task edit carry them in its own transaction.
 */
export function createMemorySources(db: SqliteDb, options: SourcesOptions) {
  const statements = createStatementCache(db);
  const existing = (table: SourceTable, id: string): Row[] =>
    statements.get('SELECT * FROM memory_embeddings WHERE source_table = ? AND source_id = ? ORDER BY created_at, id').all(table, id) as Row[];

  /**
   * Makes the source's memory say what the source says now: keeps a row with that text, deletes
   * every other row of the source, and inserts one when none matches. Access counts and a tuned
   * threshold carry over to the replacement.
   */
  function upsert(writer: WriteApi, table: SourceTable, source: Row): void {
    const id = str(source.id);
    const content = contentOf(table, source);
    const rows = existing(table, id);
    const keep = content.trim() === '' ? undefined : rows.find((r) => r.content === content);
    for (const row of rows) if (row !== keep) writer.delete('memory_embeddings', str(row.id));
    if (keep || content.trim() === '') return;
    const previous = rows.at(-1);
    writer.insert('memory_embeddings', {
      id: memoryIdFor(table, id, content),
      ...memoryFields(content),
      content_type: TYPE_OF[table],
      source_table: table,
      source_id: id,
      access_count: previous?.access_count ?? 0,
      last_accessed: previous?.last_accessed ?? null,
      similarity_threshold: previous?.similarity_threshold ?? 0.7,
      embedding_model: options.model(),
      created_at: writer.now,
      updated_at: writer.now,
    });
  }

  /** The memory of one source as it is now: derived again, or removed with the source. */
  function refresh(writer: WriteApi, table: SourceTable, id: string): boolean {
    const source = writer.get(table, id);
    const before = existing(table, id).map((r) => str(r.id)).join();
    if (source) {
      upsert(writer, table, source);
    } else {
      for (const row of existing(table, id)) writer.delete('memory_embeddings', str(row.id));
    }
    return existing(table, id).map((r) => str(r.id)).join() !== before;
  }

  /**
   * Drains up to `limit` queued sources (the triggers of migration 0003 queue them) through the
   * write path in one transaction; returns how many were taken and how many memory rows changed.
   * A pulled source whose memory row arrived with it needs no write (same text, same row).
   */
  function processQueue(writer: TransactionalWriter, limit = 200): { taken: number; written: number } {
    const queued = statements.get('SELECT source_table, source_id FROM memory_source_queue ORDER BY queued_at LIMIT ?').all(limit) as { source_table: string; source_id: string }[];
    let written = 0;
    writer.transaction(() => {
      for (const q of queued) {
        if (isSource(q.source_table) && refresh(writer, q.source_table, q.source_id)) written += 1;
        statements.get('DELETE FROM memory_source_queue WHERE source_table = ? AND source_id = ?').run(q.source_table, q.source_id);
      }
    });
    return { taken: queued.length, written };
  }

  const queuedCount = (): number => (statements.get('SELECT count(*) AS n FROM memory_source_queue').get() as { n: number }).n;

  /**
   * Sources whose memory is missing or older than the source (created centrally, by the CRM
   * bridge, or before memory existed), in id order after `afterId` (keyset paging). A source
   * whose newer change did not touch its text (a status change) is read and left alone.
   */
  function staleSources(table: SourceTable, afterId: string, limit: number): Row[] {
    return statements
      .get(
        `SELECT DISTINCT s.* FROM "${table}" s LEFT JOIN memory_embeddings m ON m.source_table = '${table}' AND m.source_id = s.id
         WHERE s.id > ? AND (m.id IS NULL OR s.updated_at > m.updated_at
           OR (SELECT count(*) FROM memory_embeddings d WHERE d.source_table = '${table}' AND d.source_id = s.id) > 1)
         ORDER BY s.id LIMIT ?`,
      )
      .all(afterId, limit) as Row[];
  }

  return {
    processQueue,
    queuedCount,
    upsert,
    staleSources,
    /** Brings every source's memory up to date, a transaction per chunk; returns the rows written. */
    backfill(writer: TransactionalWriter, chunk = 500): number {
      let written = 0;
      // Memories whose source is gone (deleted where no hook ran: a pull, the CRM bridge).
      for (const table of SOURCE_TABLES) {
        const orphans = statements
          .get(`SELECT m.id FROM memory_embeddings m LEFT JOIN "${table}" s ON s.id = m.source_id WHERE m.source_table = '${table}' AND s.id IS NULL`)
          .all() as { id: string }[];
        if (orphans.length === 0) continue;
        writer.transaction(() => {
          for (const o of orphans) writer.delete('memory_embeddings', o.id);
        });
        written += orphans.length;
      }
      for (const table of SOURCE_TABLES) {
        let afterId = '';
        for (;;) {
          const rows = staleSources(table, afterId, chunk);
          if (rows.length === 0) break;
          afterId = str(rows[rows.length - 1]?.id);
          writer.transaction(() => {
            for (const row of rows) {
              const before = existing(table, str(row.id)).map((r) => str(r.id)).join();
              upsert(writer, table, row);
              if (existing(table, str(row.id)).map((r) => str(r.id)).join() !== before) written += 1;
            }
          });
        }
      }
      return written;
    },
  };
}
