-- Bytes used by table ?1 and its indexes (needs the dbstat virtual table).
SELECT coalesce(sum(pgsize), 0) FROM dbstat
WHERE name = ?1 OR name IN (SELECT name FROM pragma_index_list(?1));
