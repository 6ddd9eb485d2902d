-- PeerLock's marker table in a target: a row per chunk loaded, written in the chunk's own
-- transaction, so a resumed copy knows exactly which chunks are in.
CREATE TABLE IF NOT EXISTS _peerlock_chunks (
  run_id     VARCHAR(100) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  chunk      INT          NOT NULL,
  `rows`     BIGINT       NOT NULL,
  digest     VARCHAR(100) NOT NULL,
  loaded_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (run_id, table_name, chunk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
