-- Field names a replica of the previous release still pushes (columns renamed to the seed's names
-- in migration 0011), mapped to the current names so its pending edits apply instead of being
-- dropped. A current name sent alongside wins.
CREATE OR REPLACE FUNCTION coordinator_legacy_fields(p_table text, p_fields jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_map jsonb := CASE p_table
    WHEN 'users' THEN '{"full_name": "name"}'::jsonb
    WHEN 'comments' THEN '{"author_name": "author"}'::jsonb
    WHEN 'conversation_history' THEN '{"query": "user_query", "response": "ai_response", "user_rating": "user_satisfaction"}'::jsonb
    ELSE '{}'::jsonb END;
  v_old text;
  v_new text;
  v_out jsonb := p_fields;
BEGIN
  FOR v_old, v_new IN SELECT key, value #>> '{}' FROM jsonb_each(v_map) LOOP
    IF v_out ? v_old THEN
      IF NOT v_out ? v_new THEN v_out := v_out || jsonb_build_object(v_new, v_out -> v_old); END IF;
      v_out := v_out - v_old;
    END IF;
  END LOOP;
  RETURN v_out;
END $$;
