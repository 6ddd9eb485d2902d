-- The application sessions of this database a freeze or thaw ends: client backends other than
-- this one and PeerLock's own (application_name 'peerlock'), started before $1, each with
-- whether it is inside a transaction. What a role may not see (no pg_read_all_stats) counts
-- as started before and inside a transaction.
SELECT pid, usename, coalesce(xact_start IS NOT NULL, true) AS in_transaction
FROM pg_stat_activity
WHERE datname = current_database() AND backend_type = 'client backend'
  AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'peerlock'
  AND coalesce(backend_start < $1::timestamptz, true)
ORDER BY pid;
