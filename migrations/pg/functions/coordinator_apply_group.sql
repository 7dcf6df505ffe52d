-- Applies one group in order; returns {last, results, refused}. A refused mutation in a group of
-- several raises CSGRP carrying the refusal, so the caller's savepoint undoes the whole group.
CREATE OR REPLACE FUNCTION coordinator_apply_group(p_client_id text, p_group jsonb, p_last bigint) RETURNS jsonb
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  v_last bigint := p_last;
  v_seq bigint;
  v_m jsonb;
  v_outcome jsonb;
  v_results jsonb := '[]'::jsonb;
  v_refused jsonb;
  v_replay boolean;
BEGIN
  FOR v_m IN SELECT value FROM jsonb_array_elements(p_group) LOOP
    v_seq := (v_m ->> 'seq')::bigint;
    -- Raises CSSEQ when this number was used for another mutation: never dropped as a replay.
    v_replay := v_seq <= v_last + 1 AND coordinator_seen_mutation(p_client_id, v_seq, v_m ->> 'mutationId');
    IF v_seq <= v_last THEN
      SELECT jsonb_build_object('seq', v_seq, 'status', 'rejected', 'code', r.code, 'reason', r.reason) INTO v_outcome
      FROM sync_rejections r WHERE r.client_id = p_client_id AND r.seq = v_seq;
      v_results := v_results || jsonb_build_array(coalesce(v_outcome, jsonb_build_object('seq', v_seq, 'status', 'duplicate')));
      CONTINUE;
    END IF;
    IF v_seq <> v_last + 1 THEN
      RAISE EXCEPTION 'mutation sequence gap for replica %: expected %, got %', p_client_id, v_last + 1, v_seq
        USING ERRCODE = 'CSGAP';
    END IF;
    IF v_replay THEN
      -- The same mutation already reached this server under another identity of this replica.
      v_outcome := jsonb_build_object('seq', v_seq, 'status', 'duplicate');
    ELSE
      v_outcome := coordinator_apply_one(p_client_id, v_m);
    END IF;
    PERFORM coordinator_record_mutation(p_client_id, v_seq, v_m ->> 'mutationId');
    v_results := v_results || jsonb_build_array(v_outcome);
    v_last := v_seq;
    IF v_outcome ->> 'status' = 'rejected' AND v_refused IS NULL THEN v_refused := v_outcome; END IF;
  END LOOP;
  IF v_refused IS NOT NULL AND jsonb_array_length(p_group) > 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'CSGRP', MESSAGE = v_refused::text;
  END IF;
  RETURN jsonb_build_object('last', v_last, 'results', v_results);
END $$;
