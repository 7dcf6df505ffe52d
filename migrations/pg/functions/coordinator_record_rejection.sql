CREATE OR REPLACE FUNCTION coordinator_record_rejection(p_client_id text, p_seq bigint, p_code text, p_reason text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO sync_rejections (client_id, seq, code, reason) VALUES (p_client_id, p_seq, p_code, p_reason)
  ON CONFLICT (client_id, seq) DO NOTHING
$$;
