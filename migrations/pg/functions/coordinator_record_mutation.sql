-- Records which mutation the server processed at (replica, seq), so a later replay can be
-- verified by id (coordinator_seen_mutation). Only for the caller's own replica.
CREATE OR REPLACE FUNCTION coordinator_record_mutation(p_client_id text, p_seq bigint, p_mutation_id text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO sync_applied_mutations (client_id, seq, mutation_id)
  SELECT p_client_id, p_seq, p_mutation_id
  WHERE p_mutation_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sync_clients WHERE client_id = p_client_id AND user_id IS NOT DISTINCT FROM coordinator_user_id())
  ON CONFLICT (client_id, seq) DO NOTHING
$$;
