-- Who the connected login is, as a Coordinator user.
CREATE OR REPLACE FUNCTION coordinator_user_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT user_id FROM sync_db_users WHERE db_role = session_user
$$;
