CREATE OR REPLACE FUNCTION coordinator_member_project_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT project_id FROM tasks
  WHERE project_id IS NOT NULL AND assigned_to IN (SELECT coordinator_my_employee_ids())
$$;
