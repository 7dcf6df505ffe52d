CREATE TABLE `sync_outbox_history` (
	`seq` integer PRIMARY KEY NOT NULL,
	`mutation_id` text NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`op` text NOT NULL,
	`fields` text NOT NULL,
	`base_version` integer,
	`hlc` text NOT NULL,
	`created_at` text NOT NULL,
	`tx_id` text,
	`acked_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_sync_outbox_history_acked` ON `sync_outbox_history` (`acked_at`);