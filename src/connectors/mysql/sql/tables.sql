-- Base tables and views of the current database, PeerLock's own excluded.
SELECT TABLE_NAME, TABLE_TYPE, coalesce(ENGINE, ''), coalesce(TABLE_ROWS, -1),
       coalesce(DATA_LENGTH + INDEX_LENGTH, -1), AUTO_INCREMENT, coalesce(CREATE_OPTIONS, '')
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
  AND TABLE_NAME NOT LIKE '\_peerlock\_%'
ORDER BY TABLE_NAME
