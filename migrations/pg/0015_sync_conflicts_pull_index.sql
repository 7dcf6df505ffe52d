-- The conflict pull (core/sync/central/pull.ts readConflictPage) reads sync_conflicts by
-- `(xid, seq) > cursor AND xid < horizon ORDER BY xid, seq LIMIT n`, for a replica's ids plus every
-- CRM one: idx_sync_conflicts_client (losing_client_id first) cannot give that order, so each page
-- sorted every matching conflict. Built in the migration's transaction (writes to sync_conflicts
-- wait for it; the table holds one row per lost value, far smaller than the change log).
CREATE INDEX IF NOT EXISTS "idx_sync_conflicts_xid_seq" ON "sync_conflicts" USING btree ("xid","seq");
