-- The employee records of the acting person; the person is looked up once per call, not once
-- per employee (see coordinator_coordinated_project_ids).
CREATE OR REPLACE FUNCTION coordinator_my_employee_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM employees WHERE user_id = (SELECT coordinator_user_id())
$$;
