-- Facts `peerlock check` judges (one row, every column text): version, logical-replication
-- settings and headroom, whether this role may replicate and create, tables with row-level
-- security, the database's size.
SELECT current_setting('server_version') AS version,
       current_setting('wal_level') AS wal_level,
       current_setting('max_replication_slots') AS max_replication_slots,
       (SELECT count(*) FROM pg_replication_slots)::text AS replication_slots_used,
       current_setting('max_wal_senders') AS max_wal_senders,
       (SELECT count(*) FROM pg_stat_replication)::text AS wal_senders_used,
       (SELECT (rolsuper OR rolreplication)::text FROM pg_roles
         WHERE rolname = current_user) AS can_replicate,
       has_database_privilege(current_database(), 'CREATE')::text AS can_create,
       (SELECT coalesce(string_agg(format('%I.%I', n.nspname, c.relname), ','), '')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relrowsecurity AND c.relkind IN ('r', 'p')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')) AS rls_tables,
       pg_database_size(current_database())::text AS database_bytes
