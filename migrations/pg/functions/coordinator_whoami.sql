-- Who the connected login is, as the server knows it: the person comes from the authenticated
-- login (coordinator_acting_login() → sync_db_users), never from anything the laptop sends. A login with no
-- mapping (never given access, or revoked) is told so in words rather than answered with nothing.
CREATE OR REPLACE FUNCTION coordinator_whoami()
RETURNS TABLE (user_id uuid, username text, full_name text, email text, role text, db_login text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY
    SELECT u.id, u.username, u.name, u.email, u.role::text, m.db_role
    FROM sync_db_users m JOIN users u ON u.id = m.user_id
    WHERE m.db_role = coordinator_acting_login();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'The login % is not mapped to a Coordinator user (never given access, or access was revoked)', coalesce(coordinator_acting_login(), session_user::text)
      USING ERRCODE = '28000';
  END IF;
END
$$;
