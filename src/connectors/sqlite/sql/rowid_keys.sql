-- Table and column of every rowid table whose lone primary-key column is declared INTEGER (the
-- rowid itself), PeerLock's own tables and virtual tables (whose module may not be loaded) left
-- out.
SELECT t.name, c.name
FROM sqlite_schema AS t, pragma_table_info(t.name) AS c
WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND t.sql NOT LIKE 'CREATE VIRTUAL%'
  AND t.name NOT LIKE '\_peerlock\_%' ESCAPE '\'
  AND c.pk = 1 AND upper(c.type) = 'INTEGER'
  AND (SELECT count(*) FROM pragma_table_info(t.name) WHERE pk > 0) = 1
  AND (SELECT wr FROM pragma_table_list(t.name) WHERE schema = 'main') = 0
ORDER BY t.name;
