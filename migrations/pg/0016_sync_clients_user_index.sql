-- sync_conflicts' row-level security (migration 0005) finds the person's replicas with
-- `sync_clients WHERE user_id = coordinator_user_id()`: without an index a sequential scan that
-- calls the (SECURITY DEFINER, not inlinable) lookup once per replica row, ~0.2 ms each, on every
-- conflict read of every sync: ~100 ms at 500 replicas (fleet benchmark, docs/capacity.md). With
-- it the lookup is evaluated once, as the index probe's key.
CREATE INDEX IF NOT EXISTS "idx_sync_clients_user" ON "sync_clients" USING btree ("user_id");
