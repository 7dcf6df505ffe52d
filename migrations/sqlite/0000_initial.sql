CREATE TABLE `ai_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text,
	`user_id` text,
	`prompt` text NOT NULL,
	`action_type` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`action_data` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`confirmed_by` text,
	`confirmed_at` text,
	`executed` integer DEFAULT false NOT NULL,
	`result` text,
	`executed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversation_history`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`confirmed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "ai_actions_status_check" CHECK("status" IN ('pending', 'rejected', 'executed', 'failed'))
);
--> statement-breakpoint
CREATE INDEX `idx_ai_actions_user` ON `ai_actions` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_ai_actions_status` ON `ai_actions` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_ai_actions_target` ON `ai_actions` (`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`entity_table` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`changes` text NOT NULL,
	`actor_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_audit_entity` ON `audit_log` (`entity_table`,`entity_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_audit_created_at` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`crm_comment_id` integer,
	`task_id` text NOT NULL,
	`user_id` text,
	`author_name` text NOT NULL,
	`content` text NOT NULL,
	`comment_order` integer NOT NULL,
	`is_edited` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `idx_comments_task_id` ON `comments` (`task_id`,`comment_order`);--> statement-breakpoint
CREATE INDEX `idx_comments_user_id` ON `comments` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_comments_crm_comment_id` ON `comments` (`crm_comment_id`);--> statement-breakpoint
CREATE TABLE `conversation_history` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text,
	`query` text NOT NULL,
	`response` text,
	`query_type` text,
	`response_time_ms` integer,
	`data_sources` text DEFAULT '[]' NOT NULL,
	`confidence_score` real,
	`user_rating` integer,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `idx_conversation_session` ON `conversation_history` (`session_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_conversation_user` ON `conversation_history` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_conversation_created_at` ON `conversation_history` (`created_at`);--> statement-breakpoint
CREATE TABLE `employees` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`crm_employee_id` integer,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`department` text,
	`position` text,
	`manager_id` text,
	`hire_date` text,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`manager_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `idx_employees_manager_id` ON `employees` (`manager_id`);--> statement-breakpoint
CREATE INDEX `idx_employees_user_id` ON `employees` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_employees_email` ON `employees` (`email`);--> statement-breakpoint
CREATE INDEX `idx_employees_department` ON `employees` (`department`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_employees_crm_employee_id` ON `employees` (`crm_employee_id`);--> statement-breakpoint
CREATE TABLE `local_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `memory_embeddings` (
	`id` text PRIMARY KEY NOT NULL,
	`content` text NOT NULL,
	`content_type` text NOT NULL,
	`source_table` text,
	`source_id` text,
	`keywords` text DEFAULT '[]' NOT NULL,
	`summary` text,
	`access_count` integer DEFAULT 0 NOT NULL,
	`last_accessed` text,
	`similarity_threshold` real DEFAULT 0.7 NOT NULL,
	`embedding_model` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "memory_content_type_check" CHECK("content_type" IN ('task', 'comment', 'project', 'note'))
);
--> statement-breakpoint
CREATE INDEX `idx_memory_source` ON `memory_embeddings` (`source_table`,`source_id`);--> statement-breakpoint
CREATE INDEX `idx_memory_content_type` ON `memory_embeddings` (`content_type`);--> statement-breakpoint
CREATE INDEX `idx_memory_model` ON `memory_embeddings` (`embedding_model`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`message` text NOT NULL,
	`read` integer DEFAULT false NOT NULL,
	`read_at` text,
	`action_url` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`task_id` text,
	`project_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "notifications_type_check" CHECK("type" IN ('task_assigned', 'task_status_changed', 'task_commented', 'task_due_soon', 'system'))
);
--> statement-breakpoint
CREATE INDEX `idx_notifications_user_read` ON `notifications` (`user_id`,`read`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_notifications_task_id` ON `notifications` (`task_id`);--> statement-breakpoint
CREATE INDEX `idx_notifications_created_at` ON `notifications` (`created_at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`crm_project_id` integer,
	`name` text NOT NULL,
	`description` text,
	`status` text DEFAULT 'todo' NOT NULL,
	`start_date` text,
	`end_date` text,
	`deadline` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "projects_status_check" CHECK("status" IN ('todo', 'in_progress', 'on_hold', 'done', 'cancelled'))
);
--> statement-breakpoint
CREATE INDEX `idx_projects_status` ON `projects` (`status`);--> statement-breakpoint
CREATE INDEX `idx_projects_deadline` ON `projects` (`deadline`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_projects_crm_project_id` ON `projects` (`crm_project_id`);--> statement-breakpoint
CREATE TABLE `prompt_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`template` text NOT NULL,
	`category` text,
	`variables` text DEFAULT '[]' NOT NULL,
	`usage_count` integer DEFAULT 0 NOT NULL,
	`success_rate` real,
	`last_used` text,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_prompt_templates_name` ON `prompt_templates` (`name`);--> statement-breakpoint
CREATE INDEX `idx_prompt_templates_category` ON `prompt_templates` (`category`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`crm_task_id` integer,
	`project_id` text,
	`title` text NOT NULL,
	`description` text,
	`status` text DEFAULT 'todo' NOT NULL,
	`priority` text DEFAULT 'medium' NOT NULL,
	`assigned_to` text,
	`created_by` text,
	`start_time` text,
	`end_time` text,
	`due_date` text,
	`estimated_hours` real,
	`actual_hours` real,
	`completed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assigned_to`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "tasks_status_check" CHECK("status" IN ('todo', 'in_progress', 'testing', 'awaiting_feedback', 'done')),
	CONSTRAINT "tasks_priority_check" CHECK("priority" IN ('low', 'medium', 'high', 'urgent')),
	CONSTRAINT "tasks_hours_check" CHECK(coalesce("tasks"."estimated_hours", 0) >= 0 AND coalesce("tasks"."actual_hours", 0) >= 0)
);
--> statement-breakpoint
CREATE INDEX `idx_tasks_project_id` ON `tasks` (`project_id`);--> statement-breakpoint
CREATE INDEX `idx_tasks_assigned_to` ON `tasks` (`assigned_to`);--> statement-breakpoint
CREATE INDEX `idx_tasks_status` ON `tasks` (`status`);--> statement-breakpoint
CREATE INDEX `idx_tasks_priority` ON `tasks` (`priority`);--> statement-breakpoint
CREATE INDEX `idx_tasks_due_date` ON `tasks` (`due_date`);--> statement-breakpoint
CREATE INDEX `idx_tasks_project_status` ON `tasks` (`project_id`,`status`);--> statement-breakpoint
CREATE INDEX `idx_tasks_assigned_status` ON `tasks` (`assigned_to`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_tasks_crm_task_id` ON `tasks` (`crm_task_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`crm_user_id` integer,
	`username` text NOT NULL,
	`email` text NOT NULL,
	`full_name` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`preferences` text DEFAULT '{}' NOT NULL,
	`ai_settings` text DEFAULT '{}' NOT NULL,
	`last_login` text,
	`last_activity` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "users_role_check" CHECK("role" IN ('admin', 'coordinator', 'member'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_users_username` ON `users` (`username`);--> statement-breakpoint
CREATE INDEX `idx_users_email` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_users_crm_user_id` ON `users` (`crm_user_id`);