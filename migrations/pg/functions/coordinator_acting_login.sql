-- The login a request acts as (docs/sync-service.md). A direct connection acts as its own
-- authenticated login (session_user). A sync-service connection (its login a member of
-- coordinator_service) acts for the person it authenticated, named per transaction in two ways
-- that must agree: `SET LOCAL ROLE <login>` (which row-level security and grants follow) and the
-- setting `coordinator.login`. Anyone else setting coordinator.login is ignored, so a person's
-- login cannot claim to be another; a service connection that named nobody (or two different
-- logins) acts as nobody. Superusers are members of every role in PostgreSQL's eyes: they keep
-- acting as themselves.
CREATE OR REPLACE FUNCTION coordinator_acting_login() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT CASE
    WHEN (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user)
         OR NOT pg_has_role(session_user, 'coordinator_service', 'MEMBER')
      THEN session_user::text
    WHEN nullif(current_setting('coordinator.login', true), '') = current_setting('role')
      THEN current_setting('role')
    ELSE NULL
  END
$$;
