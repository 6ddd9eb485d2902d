-- Columns of table @peerlock_table (SET @peerlock_table = 'name' first), for reads and loads.
SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, coalesce(COLLATION_NAME, '')
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @peerlock_table
ORDER BY ORDINAL_POSITION
