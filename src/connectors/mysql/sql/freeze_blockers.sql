-- Connections that hold up SET GLOBAL read_only at a cutover freeze (a statement running) or
-- hold an InnoDB transaction, and that a freeze past its grace kills: other accounts' only
-- (never this connection or another of the current account, such as PeerLock's change
-- stream), and never replication or server threads.
SELECT p.ID
FROM information_schema.PROCESSLIST p
WHERE p.ID <> CONNECTION_ID()
  AND p.USER <> SUBSTRING_INDEX(CURRENT_USER(), '@', 1)
  AND p.USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user')
  AND p.COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Killed', 'Connect')
  AND (p.COMMAND <> 'Sleep'
       OR p.ID IN (SELECT t.trx_mysql_thread_id FROM information_schema.INNODB_TRX t))
ORDER BY p.ID;
