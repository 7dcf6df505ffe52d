CREATE OR REPLACE FUNCTION coordinator_my_employee_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM employees WHERE user_id = coordinator_user_id()
$$;
