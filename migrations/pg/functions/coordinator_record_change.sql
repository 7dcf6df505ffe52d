-- Every committed change of a synced table lands in sync_changes in the same transaction, and the
-- row's sync metadata records, per changed field, the hybrid logical clock and version of the
-- write. The clock comes from the pushing replica (coordinator.hlc) or, for edits made directly in
-- the database (CRM bridge, administrators), from the server's own time.
CREATE OR REPLACE FUNCTION coordinator_record_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  rid uuid;
  ver bigint;
  stamp text;
  new_doc jsonb;
  old_doc jsonb;
  clocks jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN rid := OLD.id; ELSE rid := NEW.id; END IF;
  INSERT INTO sync_changes (table_name, row_id, op, client_id)
  VALUES (TG_TABLE_NAME, rid, CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END,
          nullif(current_setting('coordinator.client_id', true), ''))
  RETURNING version INTO ver;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO sync_tombstones (table_name, row_id) VALUES (TG_TABLE_NAME, rid)
    ON CONFLICT (table_name, row_id) DO UPDATE SET deleted_at = now();
    DELETE FROM sync_row_meta WHERE table_name = TG_TABLE_NAME AND row_id = rid;
    RETURN NULL;
  END IF;
  stamp := coalesce(nullif(current_setting('coordinator.hlc', true), ''),
                    lpad((floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint::text, 15, '0') || ':00000:server');
  -- Through coordinator_legacy_fields: the read-only aliases kept for replicas of the previous
  -- release (migration 0011) are no fields of their own and get no clock.
  new_doc := coordinator_legacy_fields(TG_TABLE_NAME, to_jsonb(NEW));
  IF TG_OP = 'UPDATE' THEN old_doc := coordinator_legacy_fields(TG_TABLE_NAME, to_jsonb(OLD)); ELSE old_doc := '{}'::jsonb; END IF;
  SELECT coalesce(jsonb_object_agg(n.key, jsonb_build_object('h', stamp, 'v', ver)), '{}'::jsonb) INTO clocks
  FROM jsonb_each(new_doc) n
  WHERE n.key NOT IN ('id', 'updated_at') AND (TG_OP = 'INSERT' OR n.value IS DISTINCT FROM old_doc -> n.key);
  INSERT INTO sync_row_meta (table_name, row_id, version, field_clocks) VALUES (TG_TABLE_NAME, rid, ver, clocks)
  ON CONFLICT (table_name, row_id) DO UPDATE
    SET version = excluded.version, field_clocks = sync_row_meta.field_clocks || excluded.field_clocks;
  RETURN NULL;
END $$;
