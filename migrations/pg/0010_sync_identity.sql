CREATE TABLE "sync_applied_mutations" (
	"client_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"mutation_id" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_applied_mutations_client_id_seq_pk" PRIMARY KEY("client_id","seq")
);
--> statement-breakpoint
CREATE INDEX "idx_sync_applied_mutations_id" ON "sync_applied_mutations" USING btree ("mutation_id");--> statement-breakpoint
-- The central database has an identity and an epoch (docs/sync-identity.md). A replica remembers
-- both: another central id means another server (refused until the replica joins it on purpose);
-- another epoch means this database was restored, and replicas push again what it lost.
-- `database_fingerprint` is the PostgreSQL identity of the database the rows live in: a dump
-- restored into a new database (or a template copy) carries the old fingerprint in its rows and
-- so starts a new epoch at the first sync (coordinator_hello). Written only through functions.
INSERT INTO sync_meta (key, value) VALUES
  ('central_id', gen_random_uuid()::text),
  ('epoch', gen_random_uuid()::text),
  ('epoch_started_at', now()::text),
  ('database_fingerprint', (SELECT oid::text FROM pg_database WHERE datname = current_database()))
ON CONFLICT (key) DO NOTHING;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION coordinator_hello(text), coordinator_new_epoch(text, text),
  coordinator_seen_mutation(text, bigint, text), coordinator_record_mutation(text, bigint, text)
  TO coordinator_admin, coordinator_coordinator, coordinator_member;
--> statement-breakpoint
-- Comment numbers unique per task (issue 12 §6): new comments through the trigger; comments that
-- already share a number keep the earliest on it and the others move after the task's last one.
DROP TRIGGER IF EXISTS comments_unique_order ON comments;
--> statement-breakpoint
CREATE TRIGGER comments_unique_order BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION coordinator_comment_order();
--> statement-breakpoint
WITH ranked AS (
  SELECT id, task_id, comment_order, created_at,
         row_number() OVER (PARTITION BY task_id, comment_order ORDER BY created_at, id) AS k
  FROM comments
), tops AS (
  SELECT task_id, max(comment_order) AS top FROM comments GROUP BY task_id
), moved AS (
  SELECT r.id, t.top + row_number() OVER (PARTITION BY r.task_id ORDER BY r.comment_order, r.created_at, r.id) AS n
  FROM ranked r JOIN tops t ON t.task_id = r.task_id
  WHERE r.k > 1
)
UPDATE comments c SET comment_order = moved.n FROM moved WHERE c.id = moved.id;
