CREATE TABLE "sync_changes" (
	"version" bigserial PRIMARY KEY NOT NULL,
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"table_name" text NOT NULL,
	"row_id" uuid NOT NULL,
	"op" text NOT NULL,
	"client_id" text,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"user_id" uuid,
	"last_mutation_seq" bigint DEFAULT 0 NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_conflicts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"seq" bigserial NOT NULL,
	"table_name" text NOT NULL,
	"row_id" uuid NOT NULL,
	"field" text,
	"kind" text NOT NULL,
	"losing_client_id" text,
	"losing_value" jsonb,
	"winning_value" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_db_users" (
	"db_role" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_rejections" (
	"client_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"code" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_rejections_client_id_seq_pk" PRIMARY KEY("client_id","seq")
);
--> statement-breakpoint
CREATE TABLE "sync_row_meta" (
	"table_name" text NOT NULL,
	"row_id" uuid NOT NULL,
	"version" bigint NOT NULL,
	"field_clocks" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "sync_row_meta_table_name_row_id_pk" PRIMARY KEY("table_name","row_id")
);
--> statement-breakpoint
CREATE TABLE "sync_tombstones" (
	"table_name" text NOT NULL,
	"row_id" uuid NOT NULL,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_tombstones_table_name_row_id_pk" PRIMARY KEY("table_name","row_id")
);
--> statement-breakpoint
CREATE INDEX "idx_sync_changes_xid_version" ON "sync_changes" USING btree ("xid","version");--> statement-breakpoint
CREATE INDEX "idx_sync_changes_row" ON "sync_changes" USING btree ("table_name","row_id");--> statement-breakpoint
CREATE INDEX "idx_sync_conflicts_client" ON "sync_conflicts" USING btree ("losing_client_id","xid","seq");--> statement-breakpoint
CREATE INDEX "idx_sync_tombstones_deleted_at" ON "sync_tombstones" USING btree ("deleted_at");