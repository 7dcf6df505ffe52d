CREATE TABLE `memory_index` (
	`key` integer PRIMARY KEY NOT NULL,
	`memory_id` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`model` text,
	`dimensions` integer,
	`content_hash` text,
	`project_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text,
	`last_error` text,
	`indexed_at` text,
	CONSTRAINT "memory_index_state_check" CHECK("state" IN ('pending', 'indexed', 'failed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_memory_index_memory_id` ON `memory_index` (`memory_id`);--> statement-breakpoint
CREATE INDEX `idx_memory_index_state` ON `memory_index` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `memory_source_queue` (
	`source_table` text NOT NULL,
	`source_id` text NOT NULL,
	`queued_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_memory_source_queue_pk` ON `memory_source_queue` (`source_table`,`source_id`);