-- Columns of table ?1, including generated ones (hidden = 2 virtual, 3 stored).
SELECT cid, name, type, "notnull", dflt_value, pk, hidden
FROM pragma_table_xinfo(?1)
ORDER BY cid;
