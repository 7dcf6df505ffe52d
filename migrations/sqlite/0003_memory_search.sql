-- Semantic memory's search structures (custom migration: drizzle-kit does not model virtual tables
-- or triggers). memory_index (0002) holds one row per memory row; its `key` is the rowid of the
-- row's FTS5 entry and of its sqlite-vec vector.

-- Full-text side of hybrid search: BM25 over the text, keywords and summary. Porter stemming so
-- "invoices" finds "invoice"; unicode61 without diacritics so "café" finds "cafe".
CREATE VIRTUAL TABLE `memory_fts` USING fts5(content, keywords, summary, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
-- Vectors of 512-dimensional models (the local Universal Sentence Encoder Lite). The model is the
-- partition key, so a KNN query reads only the chosen model's vectors and vectors of different
-- models are never compared. `embedding_bits` is the sign-quantised copy that the fast path
-- searches by Hamming distance before rescoring the candidates with the float vectors. Metadata
-- columns cannot hold NULL: '' stands for "no project". Tables for other dimensions
-- (memory_vec_<dims>) are created with the same shape when such a model is first used.
-- chunk_size=32 (default 1024): rescoring reads single vectors by rowid, and sqlite-vec reads one
-- out of a chunk blob whose overflow pages SQLite walks from the start; 64 KB chunks make those
-- reads ~14x cheaper (bench/memory-search.ts) for a slightly slower full scan.
CREATE VIRTUAL TABLE `memory_vec_512` USING vec0(
  model text partition key,
  embedding float[512] distance_metric=cosine,
  embedding_bits bit[512],
  content_type text,
  project_id text,
  created_at text,
  chunk_size=32
);
--> statement-breakpoint
CREATE TRIGGER `memory_embeddings_index_insert` AFTER INSERT ON `memory_embeddings` BEGIN
  INSERT INTO memory_index (memory_id, state, project_id)
  VALUES (
    new.id,
    'pending',
    coalesce(CASE new.source_table
      WHEN 'tasks' THEN (SELECT project_id FROM tasks WHERE id = new.source_id)
      WHEN 'comments' THEN (SELECT t.project_id FROM comments c JOIN tasks t ON t.id = c.task_id WHERE c.id = new.source_id)
      WHEN 'projects' THEN new.source_id
    END, '')
  )
  ON CONFLICT (memory_id) DO UPDATE SET state = 'pending', attempts = 0, next_attempt_at = NULL, last_error = NULL, project_id = excluded.project_id;
  DELETE FROM memory_fts WHERE rowid = (SELECT key FROM memory_index WHERE memory_id = new.id);
  INSERT INTO memory_fts (rowid, content, keywords, summary)
  SELECT key, new.content, new.keywords, coalesce(new.summary, '') FROM memory_index WHERE memory_id = new.id;
END;
--> statement-breakpoint
-- Only a real change counts: a pulled row is upserted with every column, mostly unchanged.
CREATE TRIGGER `memory_embeddings_index_update` AFTER UPDATE OF content, keywords, summary, content_type, source_table, source_id, created_at ON `memory_embeddings`
WHEN old.content IS NOT new.content OR old.keywords IS NOT new.keywords OR old.summary IS NOT new.summary OR old.content_type IS NOT new.content_type
  OR old.source_table IS NOT new.source_table OR old.source_id IS NOT new.source_id OR old.created_at IS NOT new.created_at
BEGIN
  UPDATE memory_index SET state = 'pending', attempts = 0, next_attempt_at = NULL, last_error = NULL,
    project_id = coalesce(CASE new.source_table
      WHEN 'tasks' THEN (SELECT project_id FROM tasks WHERE id = new.source_id)
      WHEN 'comments' THEN (SELECT t.project_id FROM comments c JOIN tasks t ON t.id = c.task_id WHERE c.id = new.source_id)
      WHEN 'projects' THEN new.source_id
    END, '')
  WHERE memory_id = new.id;
  DELETE FROM memory_fts WHERE rowid = (SELECT key FROM memory_index WHERE memory_id = new.id);
  INSERT INTO memory_fts (rowid, content, keywords, summary)
  SELECT key, new.content, new.keywords, coalesce(new.summary, '') FROM memory_index WHERE memory_id = new.id;
END;
--> statement-breakpoint
-- A deleted memory leaves search at once (FTS row gone, and search joins memory_embeddings); its
-- vector, kept in a table per dimension, is removed by the indexer, which then drops the index row.
CREATE TRIGGER `memory_embeddings_index_delete` AFTER DELETE ON `memory_embeddings` BEGIN
  DELETE FROM memory_fts WHERE rowid = (SELECT key FROM memory_index WHERE memory_id = old.id);
  UPDATE memory_index SET state = 'pending', attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE memory_id = old.id;
END;
--> statement-breakpoint
-- A task moved to another project moves its memory and its comments' memories with it (a filter).
CREATE TRIGGER `tasks_memory_project` AFTER UPDATE OF project_id ON `tasks` WHEN old.project_id IS NOT new.project_id BEGIN
  UPDATE memory_index SET state = 'pending', project_id = coalesce(new.project_id, '')
  WHERE memory_id IN (
    SELECT id FROM memory_embeddings WHERE source_table = 'tasks' AND source_id = new.id
    UNION ALL
    SELECT m.id FROM memory_embeddings m JOIN comments c ON m.source_table = 'comments' AND m.source_id = c.id WHERE c.task_id = new.id
  );
END;
--> statement-breakpoint
-- Sources whose text changed or that were deleted, on any path (local edits, pulled rows, the CRM
-- bridge): the memory worker derives their memory rows again (memory_source_queue, 0002).
CREATE TRIGGER `tasks_memory_queue_insert` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('tasks', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_memory_queue_update` AFTER UPDATE OF title, description ON `tasks` WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('tasks', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_memory_queue_delete` AFTER DELETE ON `tasks` BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('tasks', old.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `comments_memory_queue_insert` AFTER INSERT ON `comments` BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('comments', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `comments_memory_queue_update` AFTER UPDATE OF content ON `comments` WHEN old.content IS NOT new.content BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('comments', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `comments_memory_queue_delete` AFTER DELETE ON `comments` BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('comments', old.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `projects_memory_queue_insert` AFTER INSERT ON `projects` BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('projects', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `projects_memory_queue_update` AFTER UPDATE OF name, description ON `projects` WHEN old.name IS NOT new.name OR old.description IS NOT new.description BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('projects', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `projects_memory_queue_delete` AFTER DELETE ON `projects` BEGIN
  INSERT INTO memory_source_queue (source_table, source_id, queued_at) VALUES ('projects', old.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (source_table, source_id) DO NOTHING;
END;
--> statement-breakpoint
-- Existing sources are queued, so memory is derived for a replica that holds work already.
INSERT INTO memory_source_queue (source_table, source_id, queued_at)
SELECT 'projects', id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM projects
UNION ALL SELECT 'tasks', id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM tasks
UNION ALL SELECT 'comments', id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM comments;
--> statement-breakpoint
-- Memory rows that existed before this migration are queued for indexing.
INSERT INTO memory_index (memory_id, state, project_id)
SELECT m.id, 'pending', coalesce(CASE m.source_table
    WHEN 'tasks' THEN (SELECT project_id FROM tasks WHERE id = m.source_id)
    WHEN 'comments' THEN (SELECT t.project_id FROM comments c JOIN tasks t ON t.id = c.task_id WHERE c.id = m.source_id)
    WHEN 'projects' THEN m.source_id
  END, '')
FROM memory_embeddings m;
--> statement-breakpoint
INSERT INTO memory_fts (rowid, content, keywords, summary)
SELECT i.key, m.content, m.keywords, coalesce(m.summary, '') FROM memory_index i JOIN memory_embeddings m ON m.id = i.memory_id;
