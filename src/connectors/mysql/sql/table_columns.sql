-- Every column of every table of the current database, in table and column order.
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE,
       coalesce(COLLATION_NAME, ''), EXTRA, coalesce(GENERATION_EXPRESSION, ''), COLUMN_KEY
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION
