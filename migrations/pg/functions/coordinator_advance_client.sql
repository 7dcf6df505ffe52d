CREATE OR REPLACE FUNCTION coordinator_advance_client(p_client_id text, p_seq bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  UPDATE sync_clients SET last_mutation_seq = p_seq, last_seen_at = now()
  WHERE client_id = p_client_id AND user_id IS NOT DISTINCT FROM coordinator_user_id()
$$;
