-- Tables PeerLock can migrate: ordinary and partitioned (a partitioned root is read through
-- itself, so its leaf partitions are not listed again), outside system schemas.
-- Columns: oid, schema, name, relkind, persistence,
-- row security, estimated rows, total bytes, partition key (or NULL).
SELECT c.oid, n.nspname, c.relname, c.relkind::text, c.relpersistence::text,
       c.relrowsecurity, c.reltuples::bigint, pg_total_relation_size(c.oid),
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
  AND c.relname NOT LIKE '\_peerlock\_%'
ORDER BY n.nspname, c.relname
