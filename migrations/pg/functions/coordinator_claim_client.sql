-- Registers the replica on first use, locks its row for this push, and refuses a replica that
-- belongs to another user (a replica's pushes are always its signed-in person's). Returns the last mutation sequence applied.
CREATE OR REPLACE FUNCTION coordinator_claim_client(p_client_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_last bigint;
  v_owner uuid;
BEGIN
  INSERT INTO sync_clients (client_id, user_id) VALUES (p_client_id, coordinator_user_id()) ON CONFLICT (client_id) DO NOTHING;
  SELECT last_mutation_seq, user_id INTO v_last, v_owner FROM sync_clients WHERE client_id = p_client_id FOR UPDATE;
  -- A replica the database owner synced before owners were enrolled (no user then) stays theirs.
  IF v_owner IS NULL AND coordinator_user_id() IS NOT NULL
     AND (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user) THEN
    UPDATE sync_clients SET user_id = coordinator_user_id() WHERE client_id = p_client_id;
    v_owner := coordinator_user_id();
  END IF;
  IF v_owner IS DISTINCT FROM coordinator_user_id() THEN
    RAISE EXCEPTION 'replica % belongs to another user', p_client_id USING ERRCODE = '42501';
  END IF;
  RETURN v_last;
END $$;
