-- Indexes of every listed table, with plain column names (empty for expression indexes), the
-- predicate of partial indexes, the access method and whether a constraint owns them.
SELECT i.indrelid, ic.relname, i.indisunique, i.indisprimary,
       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid),
       CASE WHEN i.indexprs IS NULL THEN
         ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
               WHERE o <= i.indnkeyatts ORDER BY o)
       ELSE '{}'::name[] END,
       pg_get_expr(i.indpred, i.indrelid), am.amname, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY($1::oid[])
ORDER BY i.indrelid, ic.relname
