-- Every column of table @peerlock_table (SET @peerlock_table = 'name' first) in binlog order
-- (ordinal position), with what a change capture needs to decode its logged values, and
-- whether the table has a primary key and which engine stores it.
SELECT c.ORDINAL_POSITION, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE,
       coalesce(c.CHARACTER_SET_NAME, ''), coalesce(t.ENGINE, ''),
       (SELECT count(*) FROM information_schema.STATISTICS s
        WHERE s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME
          AND s.INDEX_NAME = 'PRIMARY')
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = @peerlock_table
ORDER BY c.ORDINAL_POSITION
