CREATE TABLE `sync_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`field` text,
	`kind` text NOT NULL,
	`losing_value` text,
	`winning_value` text,
	`reason` text,
	`created_at` text NOT NULL,
	`resolved_at` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `idx_sync_conflicts_open` ON `sync_conflicts` (`resolved_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_sync_conflicts_row` ON `sync_conflicts` (`table_name`,`row_id`);--> statement-breakpoint
CREATE TABLE `sync_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mutation_id` text NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`op` text NOT NULL,
	`fields` text NOT NULL,
	`base_version` integer,
	`hlc` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	CONSTRAINT "sync_outbox_op_check" CHECK("op" IN ('insert', 'update', 'delete')),
	CONSTRAINT "sync_outbox_status_check" CHECK("status" IN ('pending', 'rejected'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_sync_outbox_mutation_id` ON `sync_outbox` (`mutation_id`);--> statement-breakpoint
CREATE INDEX `idx_sync_outbox_row` ON `sync_outbox` (`table_name`,`row_id`);--> statement-breakpoint
CREATE INDEX `idx_sync_outbox_status` ON `sync_outbox` (`status`,`seq`);--> statement-breakpoint
CREATE TABLE `sync_row_versions` (
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_sync_row_versions_pk` ON `sync_row_versions` (`table_name`,`row_id`);