-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_apply_one.

-- Field-level last-writer-wins applies only between concurrent edits. An edit made after its
-- replica had seen the current value (its base version covers the field's last write) is
-- causally later and is applied whatever the laptops' wall clocks say; clocks only break ties
-- between edits that did not see each other. A task's completed_at follows the status that won.
