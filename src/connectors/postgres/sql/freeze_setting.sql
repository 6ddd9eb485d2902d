-- This database's own default_transaction_read_only (ALTER DATABASE ... SET), lower-cased, or
-- no row when it has none: 'on' while a cutover freeze holds, 'off' while a thaw is half done
-- (postgres_freeze.cc).
SELECT lower(substr(c, length('default_transaction_read_only=') + 1)) AS value
FROM pg_db_role_setting s
JOIN pg_database d ON d.oid = s.setdatabase
CROSS JOIN LATERAL unnest(s.setconfig) AS c
WHERE d.datname = current_database() AND s.setrole = 0
  AND c LIKE 'default\_transaction\_read\_only=%';
