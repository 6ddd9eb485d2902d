-- Everything else inventory lists: extensions, functions and procedures, user types (enum,
-- domain, composite, range), row-level security policies, unlogged and temporary tables,
-- leaf partitions (read through their root), foreign tables.
SELECT 'extension', e.extname, 'version ' || e.extversion
FROM pg_extension e WHERE e.extname <> 'plpgsql'
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
       n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       'language ' || l.lanname
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite type'
       ELSE 'range type' END,
       n.nspname || '.' || t.typname,
       CASE t.typtype
         WHEN 'e' THEN (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder)
                        FROM pg_enum WHERE enumtypid = t.oid)
         WHEN 'd' THEN 'over ' || format_type(t.typbasetype, t.typtypmod)
         ELSE '' END
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'policy', pol.polname || ' on ' || n.nspname || '.' || c.relname,
       pg_get_expr(pol.polqual, pol.polrelid)
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
UNION ALL
SELECT CASE c.relpersistence WHEN 'u' THEN 'unlogged table' ELSE 'temporary table' END,
       n.nspname || '.' || c.relname, ''
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relpersistence IN ('u', 't')
UNION ALL
SELECT 'partition', n.nspname || '.' || c.relname,
       'of ' || pn.nspname || '.' || p.relname || ' ' || pg_get_expr(c.relpartbound, c.oid)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE c.relispartition AND c.relkind IN ('r', 'p')
UNION ALL
SELECT 'foreign table', n.nspname || '.' || c.relname, ''
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'f'
