-- A coordinator's projects: those they created.
CREATE OR REPLACE FUNCTION coordinator_coordinated_project_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM projects WHERE created_by = coordinator_user_id()
$$;
