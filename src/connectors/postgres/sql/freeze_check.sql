-- What a cutover freeze needs of the current role (one row): to alter the database (owner or
-- superuser), to end other sessions (pg_signal_backend), to see them (pg_read_all_stats); and
-- the roles whose own default_transaction_read_only = off would write through the freeze.
SELECT current_user AS role,
       current_database() AS database,
       pg_get_userbyid(d.datdba) AS owner,
       r.rolsuper AS superuser,
       r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER') AS may_alter,
       r.rolsuper OR pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS may_signal,
       r.rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS may_see,
       (SELECT coalesce(string_agg(DISTINCT quote_ident(pg_get_userbyid(s.setrole)), ', '), '')
          FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS c
         WHERE s.setrole <> 0 AND s.setdatabase IN (0, d.oid)
           AND lower(c) IN ('default_transaction_read_only=off',
                            'default_transaction_read_only=false',
                            'default_transaction_read_only=no',
                            'default_transaction_read_only=0')) AS writers
FROM pg_database d, pg_roles r
WHERE d.datname = current_database() AND r.rolname = current_user;
