-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_record_change, coordinator_user_id, coordinator_my_employee_ids, coordinator_member_project_ids, coordinator_coordinated_project_ids, coordinator_row_exists.

-- Sync change log triggers, row-level security and the roles laptops connect with.
-- Hand-written (drizzle-kit --custom): triggers, functions and policies are beyond drizzle's schema DSL.

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
