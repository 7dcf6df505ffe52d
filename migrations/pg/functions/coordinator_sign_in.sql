-- Signs a replica in (docs/team-identity.md): who the connected login is, as the server knows it.
-- The person comes from the authenticated login (coordinator_acting_login(): session_user, or the
-- person a sync-service connection authenticated → sync_db_users), never from a value the laptop sends. The one login that needs no administrator is the database's own: a
-- superuser or the database owner is enrolled on first sign-in as the user of the same username
-- (created as an admin when there is none), so an owner's laptops share one identity instead of
-- each inventing its own. Any other unmapped login is refused in words (never given access, or
-- revoked). `bypasses_rls` tells the replica the login may act for anyone (a service connection).
CREATE OR REPLACE FUNCTION coordinator_sign_in()
RETURNS TABLE (user_id uuid, username text, full_name text, email text, role text, db_login text, bypasses_rls boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_login text := coordinator_acting_login();
  v_owner boolean;
  v_bypass boolean;
  v_user uuid;
BEGIN
  SELECT r.rolsuper OR r.rolbypassrls, r.rolsuper OR d.datdba = r.oid INTO v_bypass, v_owner
  FROM pg_roles r, pg_database d WHERE r.rolname = v_login AND d.datname = current_database();
  IF NOT EXISTS (SELECT 1 FROM sync_db_users m WHERE m.db_role = v_login) AND coalesce(v_owner, false) THEN
    -- Two laptops of the owner signing in at once enrol one user.
    PERFORM pg_advisory_xact_lock(hashtext('coordinator_sign_in:' || v_login));
    IF NOT EXISTS (SELECT 1 FROM sync_db_users m WHERE m.db_role = v_login) THEN
      SELECT u.id INTO v_user FROM users u WHERE lower(u.username) = lower(v_login) ORDER BY u.created_at, u.id LIMIT 1;
      IF v_user IS NULL THEN
        v_user := gen_random_uuid();
        INSERT INTO users (id, username, email, name, role) VALUES (v_user, v_login, v_login || '@localhost.invalid', v_login, 'admin');
      END IF;
      INSERT INTO sync_db_users (db_role, user_id) VALUES (v_login, v_user);
    END IF;
  END IF;
  RETURN QUERY
    SELECT u.id, u.username, u.name, u.email, u.role::text, m.db_role, coalesce(v_bypass, false)
    FROM sync_db_users m JOIN users u ON u.id = m.user_id
    WHERE m.db_role = v_login AND u.is_active;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'The login % has no access to Coordinator on this server (never given access, revoked, or the person was deactivated)', coalesce(v_login, session_user::text)
      USING ERRCODE = '28000';
  END IF;
END
$$;
