-- Accounts (and roles) other than the current one holding a privilege that writes through
-- read_only, one row each with those privileges: READ_ONLY ADMIN always, and SUPER too where
-- it implies it (MySQL, MariaDB before 10.11) when @peerlock_super_writes = 1 (SET it first).
SELECT GRANTEE, GROUP_CONCAT(PRIVILEGE_TYPE ORDER BY PRIVILEGE_TYPE SEPARATOR ', ')
FROM information_schema.USER_PRIVILEGES
WHERE (PRIVILEGE_TYPE = 'READ_ONLY ADMIN'
       OR (PRIVILEGE_TYPE = 'SUPER' AND @peerlock_super_writes = 1))
  AND GRANTEE <> CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',
                        SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')
GROUP BY GRANTEE
ORDER BY GRANTEE;
