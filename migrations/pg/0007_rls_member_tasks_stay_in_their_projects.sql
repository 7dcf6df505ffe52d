-- Functions this migration created or replaced now live in migrations/pg/functions/ (one file
-- each, applied by the migration runner when their text changes): coordinator_member_project_ids.

-- A member's projects are the projects of the tasks assigned to them (no longer those of tasks
-- they merely created), and a member may create or move a task only within those projects —
-- otherwise adding a task to a stranger's project would open that project to them.

DROP POLICY IF EXISTS tasks_member_write ON tasks;
DROP POLICY IF EXISTS tasks_member_insert ON tasks;
DROP POLICY IF EXISTS tasks_member_change ON tasks;
DROP POLICY IF EXISTS tasks_member_delete ON tasks;

CREATE POLICY tasks_member_insert ON tasks FOR INSERT TO coordinator_member
  WITH CHECK ((assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id())
              AND (project_id IS NULL OR project_id IN (SELECT coordinator_member_project_ids())));
CREATE POLICY tasks_member_change ON tasks FOR UPDATE TO coordinator_member
  USING (assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id())
  WITH CHECK ((assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id())
              AND (project_id IS NULL OR project_id IN (SELECT coordinator_member_project_ids())));
CREATE POLICY tasks_member_delete ON tasks FOR DELETE TO coordinator_member
  USING (assigned_to IN (SELECT coordinator_my_employee_ids()) OR created_by = coordinator_user_id());
