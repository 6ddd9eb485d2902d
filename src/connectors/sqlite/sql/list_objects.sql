-- Every user object PeerLock may migrate, excluding SQLite's and PeerLock's own.
SELECT type, name, tbl_name, coalesce(sql, '') AS sql
FROM sqlite_schema
WHERE type IN ('table', 'view', 'trigger')
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND name NOT LIKE '\_peerlock\_%' ESCAPE '\'
ORDER BY type, name;
