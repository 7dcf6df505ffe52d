-- Team administration (issue 14): every login may ask the server who it is (coordinator_whoami).
GRANT EXECUTE ON FUNCTION coordinator_whoami() TO coordinator_admin, coordinator_coordinator, coordinator_member;
