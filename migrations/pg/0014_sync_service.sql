-- The sync service (issue 16, docs/sync-service.md): `coordinator serve` logs in as a login that
-- is a member of coordinator_service and acts for each signed-in person with SET LOCAL ROLE
-- <their login> (coordinator_acting_login). It may take the role of exactly the logins granted
-- to coordinator_service: every login `coordinator admin user add` makes, and the ones already
-- given access before this migration. NOINHERIT: the group never holds the privileges of the
-- logins granted to it, so a service connection that did not take a person's role can read and
-- write nothing of theirs (row-level security policies are TO the people's group roles).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordinator_service') THEN CREATE ROLE coordinator_service NOLOGIN NOINHERIT; END IF;
END $$;
--> statement-breakpoint
-- Logins already given access: superusers and the database owner are left out (a service that
-- could become them could bypass row-level security); they keep syncing directly.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT DISTINCT m.db_role FROM sync_db_users m
    JOIN pg_roles p ON p.rolname = m.db_role
    JOIN pg_database d ON d.datname = current_database()
    WHERE NOT p.rolsuper AND NOT p.rolbypassrls AND p.oid <> d.datdba AND p.rolname <> 'coordinator_service'
  LOOP
    EXECUTE format('GRANT %I TO coordinator_service', r.db_role);
  END LOOP;
END $$;
