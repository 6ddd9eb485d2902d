-- Sequences with where they stand and the column they feed (serial / identity / OWNED BY).
SELECT s.schemaname, s.sequencename, s.last_value, s.start_value,
       (SELECT tn.nspname || '.' || t.relname || '.' || a.attname
        FROM pg_depend d
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_namespace tn ON tn.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = (quote_ident(s.schemaname) || '.' ||
              quote_ident(s.sequencename))::regclass AND d.deptype IN ('a', 'i')
        LIMIT 1)
FROM pg_sequences s
WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2
