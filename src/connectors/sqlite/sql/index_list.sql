-- Indexes of table ?1: origin 'c' = CREATE INDEX, 'u' = UNIQUE constraint, 'pk' = primary key.
SELECT il.name, il."unique", il.origin, il.partial, coalesce(s.sql, '') AS sql
FROM pragma_index_list(?1) AS il
LEFT JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = il.name
ORDER BY il.name;
