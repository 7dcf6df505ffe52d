-- The seed's column names (Database Schema Version 1.0), and semantic memory's shared vectors.
-- Hand-written: renames keep every row (drizzle-kit would drop and re-add), and the sync
-- bookkeeping that names columns (field clocks, conflicts) is renamed with them.
ALTER TABLE "users" RENAME COLUMN "full_name" TO "name";
--> statement-breakpoint
ALTER TABLE "comments" RENAME COLUMN "author_name" TO "author";
--> statement-breakpoint
ALTER TABLE "conversation_history" RENAME COLUMN "query" TO "user_query";
--> statement-breakpoint
ALTER TABLE "conversation_history" RENAME COLUMN "response" TO "ai_response";
--> statement-breakpoint
ALTER TABLE "conversation_history" RENAME COLUMN "user_rating" TO "user_satisfaction";
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "assignee" varchar(100);
--> statement-breakpoint
ALTER TABLE "memory_embeddings" ADD COLUMN "embedding_vector" jsonb;
--> statement-breakpoint
CREATE TABLE "memory_vectors" (
	"model" text NOT NULL,
	"content_hash" text NOT NULL,
	"dimensions" integer NOT NULL,
	"vector" bytea NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memory_vectors_model_content_hash_pk" PRIMARY KEY("model","content_hash")
);
--> statement-breakpoint
-- Field clocks and conflicts name the renamed columns: rename the keys so concurrent-edit
-- detection and the Conflicts list carry on across the upgrade.
UPDATE sync_row_meta SET field_clocks = (
  SELECT coalesce(jsonb_object_agg(CASE
    WHEN table_name = 'users' AND key = 'full_name' THEN 'name'
    WHEN table_name = 'comments' AND key = 'author_name' THEN 'author'
    WHEN table_name = 'conversation_history' AND key = 'query' THEN 'user_query'
    WHEN table_name = 'conversation_history' AND key = 'response' THEN 'ai_response'
    WHEN table_name = 'conversation_history' AND key = 'user_rating' THEN 'user_satisfaction'
    ELSE key END, value), '{}'::jsonb) FROM jsonb_each(field_clocks))
WHERE table_name IN ('users', 'comments', 'conversation_history');
--> statement-breakpoint
UPDATE sync_conflicts SET field = CASE
    WHEN table_name = 'users' AND field = 'full_name' THEN 'name'
    WHEN table_name = 'comments' AND field = 'author_name' THEN 'author'
    WHEN table_name = 'conversation_history' AND field = 'query' THEN 'user_query'
    WHEN table_name = 'conversation_history' AND field = 'response' THEN 'ai_response'
    WHEN table_name = 'conversation_history' AND field = 'user_rating' THEN 'user_satisfaction'
    ELSE field END
WHERE table_name IN ('users', 'comments', 'conversation_history') AND field IS NOT NULL;
--> statement-breakpoint
UPDATE sync_conflicts SET losing_value = coordinator_legacy_fields(table_name, losing_value)
WHERE field IS NULL AND jsonb_typeof(losing_value) = 'object';
--> statement-breakpoint
-- The seed's assignee name, filled once for existing tasks. The change trigger is off for this
-- backfill: every replica's own migration fills the same names, so a change per task would only
-- make every laptop download every assigned task again.
ALTER TABLE "tasks" DISABLE TRIGGER trg_sync_change;
--> statement-breakpoint
UPDATE "tasks" t SET "assignee" = left(e."name", 100) FROM "employees" e WHERE e."id" = t."assigned_to";
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE TRIGGER trg_sync_change;
--> statement-breakpoint
CREATE TRIGGER trg_task_assignee BEFORE INSERT OR UPDATE OF assigned_to, assignee ON tasks
  FOR EACH ROW EXECUTE FUNCTION coordinator_task_assignee();
--> statement-breakpoint
CREATE TRIGGER trg_employee_renamed AFTER UPDATE OF name ON employees
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION coordinator_employee_renamed();
--> statement-breakpoint
-- Replicas of the previous release read rows with SELECT * and pick the old names: read-only
-- aliases keep them working (their pushes are mapped by coordinator_legacy_fields) until they
-- update. A later migration drops them; the schema and the sync code never name them.
ALTER TABLE users ADD COLUMN full_name text GENERATED ALWAYS AS (name) STORED;
--> statement-breakpoint
ALTER TABLE comments ADD COLUMN author_name text GENERATED ALWAYS AS (author) STORED;
--> statement-breakpoint
ALTER TABLE conversation_history ADD COLUMN query text GENERATED ALWAYS AS (user_query) STORED;
--> statement-breakpoint
ALTER TABLE conversation_history ADD COLUMN response text GENERATED ALWAYS AS (ai_response) STORED;
--> statement-breakpoint
ALTER TABLE conversation_history ADD COLUMN user_rating integer GENERATED ALWAYS AS (user_satisfaction) STORED;
--> statement-breakpoint
-- Shared vectors: content-addressed, so any replica may add one and nobody rewrites one; each
-- replica checks what it takes (dimension, model, hash, a re-embedded sample).
GRANT SELECT, INSERT ON memory_vectors TO coordinator_admin, coordinator_coordinator, coordinator_member;
