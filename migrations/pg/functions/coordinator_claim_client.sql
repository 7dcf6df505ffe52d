-- Registers the replica on first use, locks its row for this push, and refuses a replica that
-- belongs to another user. Returns the last mutation sequence applied.
CREATE OR REPLACE FUNCTION coordinator_claim_client(p_client_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_last bigint;
  v_owner uuid;
BEGIN
  INSERT INTO sync_clients (client_id, user_id) VALUES (p_client_id, coordinator_user_id()) ON CONFLICT (client_id) DO NOTHING;
  SELECT last_mutation_seq, user_id INTO v_last, v_owner FROM sync_clients WHERE client_id = p_client_id FOR UPDATE;
  IF v_owner IS DISTINCT FROM coordinator_user_id() THEN
    RAISE EXCEPTION 'replica % belongs to another user', p_client_id USING ERRCODE = '42501';
  END IF;
  RETURN v_last;
END $$;
