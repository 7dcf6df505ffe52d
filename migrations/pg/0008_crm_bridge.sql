CREATE TABLE "crm_bridge_intents" (
	"entity" text NOT NULL,
	"central_id" uuid NOT NULL,
	"base" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_bridge_intents_entity_central_id_pk" PRIMARY KEY("entity","central_id")
);
--> statement-breakpoint
CREATE TABLE "crm_bridge_rows" (
	"entity" text NOT NULL,
	"crm_id" integer NOT NULL,
	"chunk" integer NOT NULL,
	"central_id" uuid NOT NULL,
	"hash" bigint NOT NULL,
	"base" jsonb NOT NULL,
	"central_version" bigint,
	"reconciled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_bridge_rows_entity_crm_id_pk" PRIMARY KEY("entity","crm_id")
);
--> statement-breakpoint
CREATE TABLE "crm_bridge_state" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "idx_crm_bridge_rows_central" ON "crm_bridge_rows" USING btree ("entity","central_id");--> statement-breakpoint
CREATE INDEX "idx_crm_bridge_rows_chunk" ON "crm_bridge_rows" USING btree ("entity","chunk");--> statement-breakpoint
-- Only an administrator's login reconciles with the CRM; laptops never see the bridge's state.
GRANT SELECT, INSERT, UPDATE, DELETE ON crm_bridge_rows, crm_bridge_intents, crm_bridge_state TO coordinator_admin;
