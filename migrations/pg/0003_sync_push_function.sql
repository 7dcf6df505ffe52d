-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_is_long_text, coordinator_record_conflict, coordinator_apply_one, coordinator_push.

-- The server side of push: applies a chunk of one replica's mutations in the caller's transaction,
-- under the caller's row-level security, with the per-field-kind conflict policy (docs/sync-protocol.md):
--   * each replica's mutations apply once, in sequence order; a replayed one is answered again,
--     a gap is refused;
--   * deletes win: an edit of a deleted row (or an insert under a deleted parent) is kept as a
--     conflict, never resurrected;
--   * long text keeps the server's value when it changed concurrently; the replica's text becomes
--     a conflict copy;
--   * short scalars: field-level last writer wins by hybrid logical clock; the losing value is
--     recorded with the replica it came from;
--   * a refused mutation (permission, validation) is recorded with its reason and does not block
--     the ones after it.

GRANT EXECUTE ON FUNCTION coordinator_push(text, jsonb), coordinator_apply_one(text, jsonb),
  coordinator_record_conflict(text, uuid, text, text, text, jsonb, jsonb), coordinator_is_long_text(text, text)
  TO coordinator_admin, coordinator_coordinator, coordinator_member;
