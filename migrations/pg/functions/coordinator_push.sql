CREATE OR REPLACE FUNCTION coordinator_push(p_client_id text, p_mutations jsonb) RETURNS jsonb
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  v_last bigint;
  v_seq bigint;
  v_m jsonb;
  v_applied jsonb;
  v_results jsonb := '[]'::jsonb;
  v_group jsonb;
  v_refused jsonb;
  v_tx text;
  v_i integer := 0;
  v_n integer := jsonb_array_length(p_mutations);
  v_reason text;
  v_message text;
BEGIN
  PERFORM set_config('coordinator.client_id', p_client_id, true);
  v_last := coordinator_claim_client(p_client_id);
  WHILE v_i < v_n LOOP
    v_m := p_mutations -> v_i;
    v_tx := v_m ->> 'tx';
    v_group := jsonb_build_array(v_m);
    v_i := v_i + 1;
    IF v_tx IS NOT NULL THEN
      WHILE v_i < v_n AND (p_mutations -> v_i ->> 'tx') IS NOT DISTINCT FROM v_tx LOOP
        v_group := v_group || jsonb_build_array(p_mutations -> v_i);
        v_i := v_i + 1;
      END LOOP;
    END IF;

    IF jsonb_array_length(v_group) = 1 THEN
      v_applied := coordinator_apply_group(p_client_id, v_group, v_last);
    ELSE
      BEGIN
        v_applied := coordinator_apply_group(p_client_id, v_group, v_last);
      EXCEPTION WHEN SQLSTATE 'CSGRP' THEN
        -- Everything the group did was rolled back (its rejection rows too): refuse each mutation.
        GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT;
        v_refused := v_message::jsonb;
        v_reason := format('refused with the rest of its local transaction: %s', v_refused ->> 'reason');
        v_applied := jsonb_build_object('last', v_last, 'results', '[]'::jsonb);
        FOR v_m IN SELECT value FROM jsonb_array_elements(v_group) LOOP
          v_seq := (v_m ->> 'seq')::bigint;
          IF v_seq <= v_last THEN
            v_applied := jsonb_set(v_applied, '{results}', (v_applied -> 'results') || jsonb_build_array(jsonb_build_object('seq', v_seq, 'status', 'duplicate')));
            CONTINUE;
          END IF;
          PERFORM coordinator_record_mutation(p_client_id, v_seq, v_m ->> 'mutationId');
          PERFORM coordinator_record_rejection(p_client_id, v_seq, v_refused ->> 'code',
            CASE WHEN v_seq = (v_refused ->> 'seq')::bigint THEN v_refused ->> 'reason' ELSE v_reason END);
          v_applied := jsonb_set(v_applied, '{results}', (v_applied -> 'results') || jsonb_build_array(jsonb_build_object(
            'seq', v_seq, 'status', 'rejected', 'code', v_refused ->> 'code',
            'reason', CASE WHEN v_seq = (v_refused ->> 'seq')::bigint THEN v_refused ->> 'reason' ELSE v_reason END)));
          v_applied := jsonb_set(v_applied, '{last}', to_jsonb(v_seq));
        END LOOP;
      END;
    END IF;
    v_last := (v_applied ->> 'last')::bigint;
    v_results := v_results || (v_applied -> 'results');
  END LOOP;
  PERFORM coordinator_advance_client(p_client_id, v_last);
  RETURN jsonb_build_object('lastSeq', v_last, 'results', v_results);
END $$;
