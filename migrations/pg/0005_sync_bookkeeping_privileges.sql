-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_record_conflict, coordinator_record_rejection, coordinator_claim_client, coordinator_advance_client, coordinator_apply_one, coordinator_push.

-- Sync bookkeeping is written only through SECURITY DEFINER functions that check who is asking:
-- a login can no longer move another replica's mutation counter (which would make that replica's
-- next edits look like replays and be dropped), forge conflicts or rejections, or read the
-- conflicts other people's replicas lost.

REVOKE INSERT, UPDATE, DELETE ON sync_clients, sync_row_meta, sync_conflicts, sync_rejections
  FROM coordinator_admin, coordinator_coordinator, coordinator_member;
GRANT EXECUTE ON FUNCTION coordinator_record_rejection(text, bigint, text, text), coordinator_claim_client(text),
  coordinator_advance_client(text, bigint) TO coordinator_admin, coordinator_coordinator, coordinator_member;

ALTER TABLE sync_conflicts ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS conflicts_admin ON sync_conflicts;
CREATE POLICY conflicts_admin ON sync_conflicts FOR SELECT TO coordinator_admin USING (true);
DROP POLICY IF EXISTS conflicts_own_replicas ON sync_conflicts;
CREATE POLICY conflicts_own_replicas ON sync_conflicts FOR SELECT TO coordinator_coordinator, coordinator_member
  USING (losing_client_id IN (SELECT client_id FROM sync_clients WHERE user_id = coordinator_user_id()));
