-- PeerLock's marker table in a target: a row per chunk loaded, written in the chunk's own
-- transaction, so a resumed copy knows exactly which chunks are in.
CREATE TABLE IF NOT EXISTS _peerlock_chunks (
  run_id    TEXT    NOT NULL,
  table_name TEXT   NOT NULL,
  chunk     INTEGER NOT NULL,
  rows      INTEGER NOT NULL,
  digest    TEXT    NOT NULL,
  loaded_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  PRIMARY KEY (run_id, table_name, chunk)
);
