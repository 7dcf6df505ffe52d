CREATE OR REPLACE FUNCTION coordinator_record_conflict(p_table text, p_row uuid, p_field text, p_kind text,
  p_losing_client text, p_losing jsonb, p_winning jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO sync_conflicts (id, table_name, row_id, field, kind, losing_client_id, losing_value, winning_value)
  VALUES (gen_random_uuid(), p_table, p_row, p_field, p_kind, p_losing_client, p_losing, p_winning)
$$;
