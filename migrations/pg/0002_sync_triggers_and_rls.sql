-- Sync change log triggers, row-level security and the roles laptops connect with.
-- Hand-written (drizzle-kit --custom): triggers, functions and policies are beyond drizzle's schema DSL.

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
  new_doc := to_jsonb(NEW);
  IF TG_OP = 'UPDATE' THEN old_doc := to_jsonb(OLD); ELSE old_doc := '{}'::jsonb; END IF;
  SELECT coalesce(jsonb_object_agg(n.key, jsonb_build_object('h', stamp, 'v', ver)), '{}'::jsonb) INTO clocks
  FROM jsonb_each(new_doc) n
  WHERE n.key NOT IN ('id', 'updated_at') AND (TG_OP = 'INSERT' OR n.value IS DISTINCT FROM old_doc -> n.key);
  INSERT INTO sync_row_meta (table_name, row_id, version, field_clocks) VALUES (TG_TABLE_NAME, rid, ver, clocks)
  ON CONFLICT (table_name, row_id) DO UPDATE
    SET version = excluded.version, field_clocks = sync_row_meta.field_clocks || excluded.field_clocks;
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'employees', 'projects', 'tasks', 'comments', 'notifications',
                           'memory_embeddings', 'conversation_history', 'prompt_templates', 'ai_actions'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS trg_sync_change ON %I', t);
    EXECUTE format('CREATE TRIGGER trg_sync_change AFTER INSERT OR UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION coordinator_record_change()', t);
  END LOOP;
END $$;

-- Group roles (cluster-wide, so created only when missing). Login roles are granted one of them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordinator_admin') THEN CREATE ROLE coordinator_admin NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordinator_coordinator') THEN CREATE ROLE coordinator_coordinator NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordinator_member') THEN CREATE ROLE coordinator_member NOLOGIN; END IF;
END $$;

-- Who the connected login is, as a Coordinator user.
CREATE OR REPLACE FUNCTION coordinator_user_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT user_id FROM sync_db_users WHERE db_role = session_user
$$;

CREATE OR REPLACE FUNCTION coordinator_my_employee_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM employees WHERE user_id = coordinator_user_id()
$$;

-- A member's projects: those with a task assigned to them or created by them.
CREATE OR REPLACE FUNCTION coordinator_member_project_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT project_id FROM tasks
  WHERE project_id IS NOT NULL
    AND (assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id())
$$;

-- A coordinator's projects: those they created.
CREATE OR REPLACE FUNCTION coordinator_coordinated_project_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM projects WHERE created_by = coordinator_user_id()
$$;

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

GRANT USAGE ON SCHEMA public TO coordinator_admin, coordinator_coordinator, coordinator_member;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, employees, projects, tasks, comments, notifications, memory_embeddings,
  conversation_history, prompt_templates, ai_actions, audit_log
  TO coordinator_admin, coordinator_coordinator, coordinator_member;
GRANT SELECT ON sync_changes, sync_tombstones, sync_db_users, sync_meta TO coordinator_admin, coordinator_coordinator, coordinator_member;
GRANT SELECT, INSERT, UPDATE ON sync_clients, sync_row_meta, sync_conflicts, sync_rejections
  TO coordinator_admin, coordinator_coordinator, coordinator_member;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO coordinator_admin, coordinator_coordinator, coordinator_member;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE employees ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_embeddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE prompt_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;

-- Admins: everything.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'employees', 'projects', 'tasks', 'comments', 'notifications', 'memory_embeddings',
                           'conversation_history', 'prompt_templates', 'ai_actions', 'audit_log'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS admin_all ON %I', t);
    EXECUTE format('CREATE POLICY admin_all ON %I TO coordinator_admin USING (true) WITH CHECK (true)', t);
  END LOOP;
END $$;

-- People: everyone reads; coordinators maintain employees; a user edits their own user row.
CREATE POLICY users_read ON users FOR SELECT TO coordinator_coordinator, coordinator_member USING (true);
CREATE POLICY users_self ON users FOR UPDATE TO coordinator_coordinator, coordinator_member
  USING (id = coordinator_user_id()) WITH CHECK (id = coordinator_user_id());
CREATE POLICY employees_read ON employees FOR SELECT TO coordinator_coordinator, coordinator_member USING (true);
CREATE POLICY employees_coordinator_write ON employees FOR ALL TO coordinator_coordinator USING (true) WITH CHECK (true);

-- Projects: coordinators read all and write their own; members read the projects they work on.
CREATE POLICY projects_coordinator_read ON projects FOR SELECT TO coordinator_coordinator USING (true);
CREATE POLICY projects_coordinator_insert ON projects FOR INSERT TO coordinator_coordinator
  WITH CHECK (created_by = coordinator_user_id());
CREATE POLICY projects_coordinator_change ON projects FOR UPDATE TO coordinator_coordinator
  USING (created_by = coordinator_user_id()) WITH CHECK (created_by = coordinator_user_id());
CREATE POLICY projects_coordinator_delete ON projects FOR DELETE TO coordinator_coordinator
  USING (created_by = coordinator_user_id());
CREATE POLICY projects_member_read ON projects FOR SELECT TO coordinator_member
  USING (id IN (SELECT coordinator_member_project_ids()));

-- Tasks: coordinators read all and write tasks of their projects, their own or assigned to them;
-- members read their projects' tasks and write their own.
CREATE POLICY tasks_coordinator_read ON tasks FOR SELECT TO coordinator_coordinator USING (true);
CREATE POLICY tasks_coordinator_write ON tasks FOR ALL TO coordinator_coordinator
  USING (project_id IS NULL OR project_id IN (SELECT coordinator_coordinated_project_ids())
         OR created_by = coordinator_user_id() OR assigned_to IN (SELECT coordinator_my_employee_ids()))
  WITH CHECK (project_id IS NULL OR project_id IN (SELECT coordinator_coordinated_project_ids())
         OR created_by = coordinator_user_id() OR assigned_to IN (SELECT coordinator_my_employee_ids()));
CREATE POLICY tasks_member_read ON tasks FOR SELECT TO coordinator_member
  USING (project_id IN (SELECT coordinator_member_project_ids())
         OR assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id());
CREATE POLICY tasks_member_write ON tasks FOR ALL TO coordinator_member
  USING (assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id())
  WITH CHECK (assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id());

-- Comments: readable with their task; anyone who sees a task may comment as themselves; authors edit their own.
CREATE POLICY comments_read ON comments FOR SELECT TO coordinator_coordinator, coordinator_member
  USING (task_id IN (SELECT id FROM tasks));
CREATE POLICY comments_insert ON comments FOR INSERT TO coordinator_coordinator, coordinator_member
  WITH CHECK (user_id = coordinator_user_id() AND task_id IN (SELECT id FROM tasks));
CREATE POLICY comments_own_update ON comments FOR UPDATE TO coordinator_coordinator, coordinator_member
  USING (user_id = coordinator_user_id()) WITH CHECK (user_id = coordinator_user_id());
CREATE POLICY comments_own_delete ON comments FOR DELETE TO coordinator_coordinator, coordinator_member
  USING (user_id = coordinator_user_id());

-- Notifications: each person reads and updates their own; anyone may notify anyone.
CREATE POLICY notifications_own ON notifications FOR SELECT TO coordinator_coordinator, coordinator_member
  USING (user_id = coordinator_user_id());
CREATE POLICY notifications_own_update ON notifications FOR UPDATE TO coordinator_coordinator, coordinator_member
  USING (user_id = coordinator_user_id()) WITH CHECK (user_id = coordinator_user_id());
CREATE POLICY notifications_insert ON notifications FOR INSERT TO coordinator_coordinator, coordinator_member WITH CHECK (true);

-- Semantic memory and prompt templates are shared knowledge.
CREATE POLICY memory_all ON memory_embeddings FOR ALL TO coordinator_coordinator, coordinator_member USING (true) WITH CHECK (true);
CREATE POLICY templates_read ON prompt_templates FOR SELECT TO coordinator_coordinator, coordinator_member USING (true);
CREATE POLICY templates_coordinator_write ON prompt_templates FOR ALL TO coordinator_coordinator USING (true) WITH CHECK (true);

-- Agent history and proposed actions are private to their user.
CREATE POLICY conversations_own ON conversation_history FOR ALL TO coordinator_coordinator, coordinator_member
  USING (user_id = coordinator_user_id()) WITH CHECK (user_id = coordinator_user_id());
CREATE POLICY ai_actions_own ON ai_actions FOR ALL TO coordinator_coordinator, coordinator_member
  USING (user_id = coordinator_user_id()) WITH CHECK (user_id = coordinator_user_id());

-- The audit trail is append-only for everyone but admins.
CREATE POLICY audit_insert ON audit_log FOR INSERT TO coordinator_coordinator, coordinator_member WITH CHECK (true);
CREATE POLICY audit_read ON audit_log FOR SELECT TO coordinator_coordinator USING (true);
