-- Facts `peerlock check` judges (one row): version, binlog settings for change capture,
-- tables in engines without transactions, the schema's size.
SELECT VERSION() AS version,
       @@GLOBAL.log_bin AS log_bin,
       @@GLOBAL.binlog_format AS binlog_format,
       @@GLOBAL.binlog_row_image AS binlog_row_image,
       (SELECT COALESCE(GROUP_CONCAT(CONCAT(table_name, ' (', engine, ')') SEPARATOR ','), '')
          FROM information_schema.tables
         WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'
           AND engine NOT IN ('InnoDB', 'Aria')) AS non_transactional_tables,
       (SELECT COALESCE(SUM(data_length + index_length), 0)
          FROM information_schema.tables WHERE table_schema = DATABASE()) AS database_bytes
