-- What a replica checks before it pushes (docs/sync-identity.md): which central database this is
-- and in which epoch, how far this replica's mutation sequence got here and with which mutation,
-- and the highest change version ever issued. A database whose PostgreSQL identity differs from
-- the one recorded in its rows was restored from a dump or copied: it starts a new epoch here.
CREATE OR REPLACE FUNCTION coordinator_hello(p_client_id text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_fingerprint text := (SELECT oid::text FROM pg_database WHERE datname = current_database());
  v_recorded text;
  v_last bigint;
  v_last_mutation text;
BEGIN
  -- A wiped sync_meta (or a database migrated before it had an identity) gets one now.
  INSERT INTO sync_meta (key, value) VALUES ('central_id', gen_random_uuid()::text), ('epoch', gen_random_uuid()::text),
    ('epoch_started_at', now()::text), ('database_fingerprint', v_fingerprint)
  ON CONFLICT (key) DO NOTHING;
  SELECT value INTO v_recorded FROM sync_meta WHERE key = 'database_fingerprint';
  IF v_recorded IS DISTINCT FROM v_fingerprint THEN
    UPDATE sync_meta SET value = v_fingerprint WHERE key = 'database_fingerprint' AND value = v_recorded;
    IF FOUND THEN
      PERFORM coordinator_new_epoch((SELECT value FROM sync_meta WHERE key = 'epoch'), 'the database was restored from a dump or copied');
    END IF;
  END IF;
  SELECT c.last_mutation_seq INTO v_last FROM sync_clients c
  WHERE c.client_id = p_client_id
    AND (c.user_id IS NOT DISTINCT FROM coordinator_user_id()
         OR (c.user_id IS NULL AND (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user)));
  SELECT a.mutation_id INTO v_last_mutation FROM sync_applied_mutations a WHERE a.client_id = p_client_id AND a.seq = v_last;
  RETURN jsonb_build_object(
    'centralId', (SELECT value FROM sync_meta WHERE key = 'central_id'),
    'epoch', (SELECT value FROM sync_meta WHERE key = 'epoch'),
    'epochReason', (SELECT value FROM sync_meta WHERE key = 'epoch_reason'),
    'lastSeq', v_last,
    'lastMutationId', v_last_mutation,
    'maxVersion', greatest(
      (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM sync_changes_version_seq),
      (SELECT max(version) FROM sync_changes), 0));
END $$;
