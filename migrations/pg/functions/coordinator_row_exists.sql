-- Lets the sync tell "forbidden" from "gone" without widening what a role may read.
CREATE OR REPLACE FUNCTION coordinator_row_exists(tbl text, rid uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  found boolean;
BEGIN
  IF tbl NOT IN ('users', 'employees', 'projects', 'tasks', 'comments', 'notifications', 'memory_embeddings',
                 'conversation_history', 'prompt_templates', 'ai_actions') THEN
    RAISE EXCEPTION 'not a synced table: %', tbl;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', tbl) INTO found USING rid;
  RETURN found;
END $$;
