-- Who the acting login is, as a Coordinator user (coordinator_acting_login: the connected login,
-- or the person a sync-service connection acts for).
CREATE OR REPLACE FUNCTION coordinator_user_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT user_id FROM sync_db_users WHERE db_role = coordinator_acting_login()
$$;
