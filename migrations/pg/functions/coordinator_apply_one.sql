CREATE OR REPLACE FUNCTION coordinator_apply_one(p_client_id text, m jsonb) RETURNS jsonb
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  v_seq bigint := (m ->> 'seq')::bigint;
  v_tbl text := m ->> 'table';
  v_op text := m ->> 'op';
  v_fields jsonb := coordinator_legacy_fields(m ->> 'table', coalesce(m -> 'fields', '{}'::jsonb));
  v_base bigint := (m ->> 'baseVersion')::bigint;
  v_hlc text := m ->> 'hlc';
  v_rid uuid;
  v_norm jsonb;
  v_cur jsonb;
  v_meta jsonb;
  v_apply jsonb := '{}'::jsonb;
  v_key text;
  v_val jsonb;
  v_clock jsonb;
  v_writer text;
  v_concurrent boolean;
  v_n integer;
  v_cols text;
  v_status text := 'applied';
  v_status_lost boolean := false;
  v_code text;
BEGIN
  BEGIN
    IF v_tbl IS NULL OR v_tbl NOT IN ('users', 'employees', 'projects', 'tasks', 'comments', 'notifications',
        'memory_embeddings', 'conversation_history', 'prompt_templates', 'ai_actions') THEN
      RAISE EXCEPTION 'not a synced table: %', coalesce(v_tbl, '(none)') USING ERRCODE = '22023';
    END IF;
    IF v_op IS NULL OR v_op NOT IN ('insert', 'update', 'delete') THEN
      RAISE EXCEPTION 'unknown operation: %', coalesce(v_op, '(none)') USING ERRCODE = '22023';
    END IF;
    v_rid := (m ->> 'rowId')::uuid;
    PERFORM set_config('coordinator.hlc', coalesce(v_hlc, ''), true);

    IF EXISTS (SELECT 1 FROM sync_tombstones WHERE table_name = v_tbl AND row_id = v_rid) THEN
      IF v_op = 'delete' THEN
        RETURN jsonb_build_object('seq', v_seq, 'status', 'applied');
      END IF;
      PERFORM coordinator_record_conflict(v_tbl, v_rid, NULL, 'delete_wins', p_client_id, v_fields, NULL);
      RETURN jsonb_build_object('seq', v_seq, 'status', 'conflict', 'kind', 'delete_wins');
    END IF;

    IF v_op = 'delete' THEN
      EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE id = $1', v_tbl) USING v_rid INTO v_cur;
      SELECT field_clocks INTO v_meta FROM sync_row_meta WHERE table_name = v_tbl AND row_id = v_rid;
      EXECUTE format('DELETE FROM %I WHERE id = $1', v_tbl) USING v_rid;
      GET DIAGNOSTICS v_n = ROW_COUNT;
      IF v_n = 0 AND coordinator_row_exists(v_tbl, v_rid) THEN
        RAISE EXCEPTION 'not allowed to delete this % row', v_tbl USING ERRCODE = '42501';
      END IF;
      -- Deletes win, but an edit the deleting replica had not seen is kept for its author.
      IF v_n > 0 AND v_base IS NOT NULL AND v_meta IS NOT NULL THEN
        FOR v_key, v_clock IN SELECT key, value FROM jsonb_each(v_meta) LOOP
          v_writer := coordinator_hlc_writer(v_clock ->> 'h');
          IF v_key NOT IN ('id', 'created_at', 'updated_at') AND v_writer NOT IN ('', p_client_id)
             AND (v_clock ->> 'v')::bigint > v_base THEN
            PERFORM coordinator_record_conflict(v_tbl, v_rid, v_key, 'delete_wins', v_writer, v_cur -> v_key, NULL);
          END IF;
        END LOOP;
      END IF;
      RETURN jsonb_build_object('seq', v_seq, 'status', 'applied');
    END IF;

    -- Normalise through the table's row type: casts, enum values and formats as the server stores them.
    EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%I, $1))', v_tbl) USING v_fields INTO v_norm;
    SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) INTO v_norm FROM jsonb_each(v_norm) WHERE v_fields ? key;

    EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE id = $1 FOR UPDATE', v_tbl) USING v_rid INTO v_cur;
    IF v_cur IS NULL THEN
      IF coordinator_row_exists(v_tbl, v_rid) THEN
        RAISE EXCEPTION 'not allowed to change this % row', v_tbl USING ERRCODE = '42501';
      END IF;
      IF v_op = 'update' THEN
        RAISE EXCEPTION '% row % does not exist', v_tbl, v_rid USING ERRCODE = 'P0002';
      END IF;
      SELECT string_agg(format('%I', key), ', ') INTO v_cols FROM jsonb_object_keys(v_norm) AS key;
      EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_record(NULL::%I, $1)', v_tbl, v_cols, v_cols, v_tbl)
        USING v_fields;
      RETURN jsonb_build_object('seq', v_seq, 'status', 'applied');
    END IF;

    SELECT field_clocks INTO v_meta FROM sync_row_meta WHERE table_name = v_tbl AND row_id = v_rid;
    v_meta := coalesce(v_meta, '{}'::jsonb);
    FOR v_key, v_val IN SELECT key, value FROM jsonb_each(v_norm) LOOP
      CONTINUE WHEN v_key IN ('id', 'created_at', 'updated_at');
      CONTINUE WHEN (v_cur -> v_key) IS NOT DISTINCT FROM v_val;
      v_clock := v_meta -> v_key;
      v_writer := coordinator_hlc_writer(v_clock ->> 'h');
      -- Concurrent: the field changed after the version this edit was based on, by someone else.
      v_concurrent := v_clock IS NOT NULL AND v_writer <> p_client_id
                      AND (v_base IS NULL OR (v_clock ->> 'v')::bigint > v_base);
      IF coordinator_is_long_text(v_tbl, v_key) THEN
        IF v_concurrent THEN
          PERFORM coordinator_record_conflict(v_tbl, v_rid, v_key, 'text_copy', p_client_id, v_val, v_cur -> v_key);
          v_status := 'conflict';
        ELSE
          v_apply := v_apply || jsonb_build_object(v_key, v_val);
        END IF;
      ELSIF NOT v_concurrent OR coalesce(v_hlc, '') > coalesce(v_clock ->> 'h', '') THEN
        IF v_concurrent THEN
          PERFORM coordinator_record_conflict(v_tbl, v_rid, v_key, 'field_lww', nullif(v_writer, ''), v_cur -> v_key, v_val);
        END IF;
        v_apply := v_apply || jsonb_build_object(v_key, v_val);
      ELSE
        PERFORM coordinator_record_conflict(v_tbl, v_rid, v_key, 'field_lww', p_client_id, v_val, v_cur -> v_key);
        v_status := 'conflict';
        IF v_tbl = 'tasks' AND v_key = 'status' THEN v_status_lost := true; END IF;
      END IF;
    END LOOP;
    -- completed_at belongs to the status it was stamped with: it never wins without it, and a
    -- status that wins brings its completed_at along (cleared when not done).
    IF v_status_lost THEN
      v_apply := v_apply - 'completed_at';
    ELSIF v_tbl = 'tasks' AND v_apply ? 'status' THEN
      IF v_apply ->> 'status' <> 'done' THEN
        v_apply := v_apply || jsonb_build_object('completed_at', NULL);
      ELSIF v_cur ->> 'completed_at' IS NULL AND NOT v_apply ? 'completed_at' THEN
        v_apply := v_apply || jsonb_build_object('completed_at', now());
      END IF;
    END IF;

    IF v_apply <> '{}'::jsonb THEN
      IF v_norm ? 'updated_at' THEN
        v_apply := v_apply || jsonb_build_object('updated_at', greatest(v_norm ->> 'updated_at', v_cur ->> 'updated_at')::timestamptz);
      END IF;
      SELECT string_agg(format('%I', key), ', ') INTO v_cols FROM jsonb_object_keys(v_apply) AS key;
      EXECUTE format('UPDATE %I SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $1)) WHERE id = $2',
                     v_tbl, v_cols, v_cols, v_tbl) USING v_apply, v_rid;
      GET DIAGNOSTICS v_n = ROW_COUNT;
      IF v_n = 0 THEN
        RAISE EXCEPTION 'not allowed to change this % row', v_tbl USING ERRCODE = '42501';
      END IF;
    END IF;
    RETURN jsonb_build_object('seq', v_seq, 'status', v_status);
  EXCEPTION WHEN OTHERS THEN
    -- A deadlock, a serialization failure, a lock or statement timeout, a server shutting down:
    -- nothing wrong with the mutation. The whole push fails and the replica sends it again;
    -- recorded as a rejection it would be refused for ever.
    IF SQLSTATE LIKE '40%' OR SQLSTATE LIKE '53%' OR SQLSTATE LIKE '57%' OR SQLSTATE LIKE '08%' OR SQLSTATE = '55P03' THEN
      RAISE;
    END IF;
    IF SQLSTATE = '23503' AND EXISTS (
        SELECT 1 FROM sync_tombstones t JOIN jsonb_each_text(v_fields) f ON t.row_id::text = f.value) THEN
      PERFORM coordinator_record_conflict(v_tbl, v_rid, NULL, 'delete_wins', p_client_id, v_fields, NULL);
      RETURN jsonb_build_object('seq', v_seq, 'status', 'conflict', 'kind', 'delete_wins');
    END IF;
    v_code := CASE
      WHEN SQLSTATE = '42501' THEN 'FORBIDDEN'
      WHEN SQLSTATE = 'P0002' THEN 'NOT_FOUND'
      WHEN SQLSTATE LIKE '22%' OR SQLSTATE LIKE '23%' THEN 'VALIDATION'
      ELSE 'INTERNAL' END;
    PERFORM coordinator_record_rejection(p_client_id, v_seq, v_code, SQLERRM);
    RETURN jsonb_build_object('seq', v_seq, 'status', 'rejected', 'code', v_code, 'reason', SQLERRM);
  END;
END $$;
