-- Team adoption (issue 14): every login signs in through coordinator_sign_in().
GRANT EXECUTE ON FUNCTION coordinator_sign_in() TO coordinator_admin, coordinator_coordinator, coordinator_member;
