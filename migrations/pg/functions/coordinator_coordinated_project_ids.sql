-- A coordinator's projects: those they created. The person is looked up once per call (the
-- scalar subquery is evaluated once), not once per project: tasks' row-level security runs this
-- for every task a coordinator writes, so a per-row lookup made each push cost O(projects).
CREATE OR REPLACE FUNCTION coordinator_coordinated_project_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM projects WHERE created_by = (SELECT coordinator_user_id())
$$;
