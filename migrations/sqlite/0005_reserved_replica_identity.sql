-- Placeholder: number 0005 is reserved for the replica-identity migration written on another
-- branch. The lead replaces this file (and its journal entry and snapshot) at merge.
SELECT 1;
