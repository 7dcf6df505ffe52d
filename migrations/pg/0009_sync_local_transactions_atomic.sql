-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_apply_group, coordinator_push.

-- A replica's local transaction is applied all or nothing. Mutations pushed with the same `tx`
-- (consecutive in the outbox) form a group: if the server refuses one of them, the whole group is
-- rolled back and every mutation in it is refused with the same reason, so the side effects of a
-- refused edit (the notification announcing it) never land without it. Conflicts resolved by the
-- field policy are not refusals and leave the group applied. A lone mutation needs no savepoint.

GRANT EXECUTE ON FUNCTION coordinator_apply_group(text, jsonb, bigint) TO coordinator_admin, coordinator_coordinator, coordinator_member;
