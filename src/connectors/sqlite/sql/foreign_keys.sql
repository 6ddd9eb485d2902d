-- Foreign keys of table ?1, one row per column pair.
SELECT id, seq, "table", "from", coalesce("to", ''), on_update, on_delete
FROM pragma_foreign_key_list(?1)
ORDER BY id, seq;
