-- Is this mutation a replay? Only if this server already processed the same mutation id: at this
-- (replica, seq), or under another replica identity (a copy of the replica pushing the same
-- pending change). The same sequence number with another mutation id is a copied or restored
-- replica reusing numbers: refused with CSSEQ so nothing is dropped as a "replay"; the replica
-- takes a new identity and pushes again. Sequences recorded before mutation ids were kept
-- (no row) keep the old rule: at or below the replica's last sequence is a replay.
CREATE OR REPLACE FUNCTION coordinator_seen_mutation(p_client_id text, p_seq bigint, p_mutation_id text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_known text;
  v_last bigint;
BEGIN
  SELECT last_mutation_seq INTO v_last FROM sync_clients
  WHERE client_id = p_client_id AND user_id IS NOT DISTINCT FROM coordinator_user_id();
  IF v_last IS NULL THEN
    RAISE EXCEPTION 'replica % belongs to another user', p_client_id USING ERRCODE = '42501';
  END IF;
  SELECT mutation_id INTO v_known FROM sync_applied_mutations WHERE client_id = p_client_id AND seq = p_seq;
  IF v_known IS NOT NULL AND p_mutation_id IS NOT NULL AND v_known <> p_mutation_id THEN
    RAISE EXCEPTION 'replica % sent another change under mutation sequence % (a copied or restored replica)', p_client_id, p_seq
      USING ERRCODE = 'CSSEQ';
  END IF;
  IF v_known IS NOT NULL OR p_seq <= v_last THEN
    RETURN true;
  END IF;
  RETURN p_mutation_id IS NOT NULL AND EXISTS (SELECT 1 FROM sync_applied_mutations WHERE mutation_id = p_mutation_id);
END $$;
