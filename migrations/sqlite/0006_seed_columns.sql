-- The seed's column names (Database Schema Version 1.0). Hand-written: renames keep every row,
-- and pending outbox entries and conflicts that name a renamed column are renamed with it, so
-- every edit still waiting to be pushed arrives under the name the server now knows.
ALTER TABLE `users` RENAME COLUMN `full_name` TO `name`;
--> statement-breakpoint
ALTER TABLE `comments` RENAME COLUMN `author_name` TO `author`;
--> statement-breakpoint
ALTER TABLE `conversation_history` RENAME COLUMN `query` TO `user_query`;
--> statement-breakpoint
ALTER TABLE `conversation_history` RENAME COLUMN `response` TO `ai_response`;
--> statement-breakpoint
ALTER TABLE `conversation_history` RENAME COLUMN `user_rating` TO `user_satisfaction`;
--> statement-breakpoint
ALTER TABLE `tasks` ADD `assignee` text;
--> statement-breakpoint
ALTER TABLE `memory_embeddings` ADD `embedding_vector` text;
--> statement-breakpoint
UPDATE `sync_outbox` SET `fields` = json_set(json_remove(`fields`, '$.full_name'), '$.name', json_extract(`fields`, '$.full_name'))
WHERE `table_name` = 'users' AND json_valid(`fields`) AND json_type(`fields`, '$.full_name') IS NOT NULL AND json_type(`fields`, '$.name') IS NULL;
--> statement-breakpoint
UPDATE `sync_conflicts` SET `field` = 'name' WHERE `table_name` = 'users' AND `field` = 'full_name';
--> statement-breakpoint
UPDATE `sync_outbox` SET `fields` = json_set(json_remove(`fields`, '$.author_name'), '$.author', json_extract(`fields`, '$.author_name'))
WHERE `table_name` = 'comments' AND json_valid(`fields`) AND json_type(`fields`, '$.author_name') IS NOT NULL AND json_type(`fields`, '$.author') IS NULL;
--> statement-breakpoint
UPDATE `sync_conflicts` SET `field` = 'author' WHERE `table_name` = 'comments' AND `field` = 'author_name';
--> statement-breakpoint
UPDATE `sync_outbox` SET `fields` = json_set(json_remove(`fields`, '$.query'), '$.user_query', json_extract(`fields`, '$.query'))
WHERE `table_name` = 'conversation_history' AND json_valid(`fields`) AND json_type(`fields`, '$.query') IS NOT NULL AND json_type(`fields`, '$.user_query') IS NULL;
--> statement-breakpoint
UPDATE `sync_conflicts` SET `field` = 'user_query' WHERE `table_name` = 'conversation_history' AND `field` = 'query';
--> statement-breakpoint
UPDATE `sync_outbox` SET `fields` = json_set(json_remove(`fields`, '$.response'), '$.ai_response', json_extract(`fields`, '$.response'))
WHERE `table_name` = 'conversation_history' AND json_valid(`fields`) AND json_type(`fields`, '$.response') IS NOT NULL AND json_type(`fields`, '$.ai_response') IS NULL;
--> statement-breakpoint
UPDATE `sync_conflicts` SET `field` = 'ai_response' WHERE `table_name` = 'conversation_history' AND `field` = 'response';
--> statement-breakpoint
UPDATE `sync_outbox` SET `fields` = json_set(json_remove(`fields`, '$.user_rating'), '$.user_satisfaction', json_extract(`fields`, '$.user_rating'))
WHERE `table_name` = 'conversation_history' AND json_valid(`fields`) AND json_type(`fields`, '$.user_rating') IS NOT NULL AND json_type(`fields`, '$.user_satisfaction') IS NULL;
--> statement-breakpoint
UPDATE `sync_conflicts` SET `field` = 'user_satisfaction' WHERE `table_name` = 'conversation_history' AND `field` = 'user_rating';
--> statement-breakpoint
-- The seed's assignee name of tasks already assigned (the central migration fills the same).
UPDATE `tasks` SET `assignee` = (SELECT substr(e.`name`, 1, 100) FROM `employees` e WHERE e.`id` = `tasks`.`assigned_to`) WHERE `assigned_to` IS NOT NULL;
--> statement-breakpoint
-- Acknowledged changes kept for re-pushing after a central restore (docs/sync-identity.md) carry
-- the new names too.
UPDATE `sync_outbox_history` SET `fields` = json_set(json_remove(`fields`, '$.full_name'), '$.name', json_extract(`fields`, '$.full_name'))
WHERE `table_name` = 'users' AND json_valid(`fields`) AND json_type(`fields`, '$.full_name') IS NOT NULL AND json_type(`fields`, '$.name') IS NULL;
--> statement-breakpoint
UPDATE `sync_outbox_history` SET `fields` = json_set(json_remove(`fields`, '$.author_name'), '$.author', json_extract(`fields`, '$.author_name'))
WHERE `table_name` = 'comments' AND json_valid(`fields`) AND json_type(`fields`, '$.author_name') IS NOT NULL AND json_type(`fields`, '$.author') IS NULL;
--> statement-breakpoint
UPDATE `sync_outbox_history` SET `fields` = json_set(json_remove(`fields`, '$.query'), '$.user_query', json_extract(`fields`, '$.query'))
WHERE `table_name` = 'conversation_history' AND json_valid(`fields`) AND json_type(`fields`, '$.query') IS NOT NULL AND json_type(`fields`, '$.user_query') IS NULL;
--> statement-breakpoint
UPDATE `sync_outbox_history` SET `fields` = json_set(json_remove(`fields`, '$.response'), '$.ai_response', json_extract(`fields`, '$.response'))
WHERE `table_name` = 'conversation_history' AND json_valid(`fields`) AND json_type(`fields`, '$.response') IS NOT NULL AND json_type(`fields`, '$.ai_response') IS NULL;
--> statement-breakpoint
UPDATE `sync_outbox_history` SET `fields` = json_set(json_remove(`fields`, '$.user_rating'), '$.user_satisfaction', json_extract(`fields`, '$.user_rating'))
WHERE `table_name` = 'conversation_history' AND json_valid(`fields`) AND json_type(`fields`, '$.user_rating') IS NOT NULL AND json_type(`fields`, '$.user_satisfaction') IS NULL;
