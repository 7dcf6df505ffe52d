-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_apply_one.

-- Deletes still win, but a delete based on a version older than someone else's accepted edit
-- records that edit's values as delete_wins conflicts for the replica that wrote them, so nothing
-- a person typed disappears without a trace.
