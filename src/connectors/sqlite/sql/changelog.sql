-- A capture's changelog in a SQLite source (each capture replaces the name _peerlock_changelog
-- with its own): one row per changed key, written by the capture's triggers inside the writer's
-- transaction. The key columns k1, k2, ... are added without a declared type, so every value
-- keeps its storage class exactly.
-- seq is a plain INTEGER PRIMARY KEY (not AUTOINCREMENT, which would leave a sqlite_sequence
-- table behind in the user's file): Confirm always keeps the newest row, so a seq is never reused.
CREATE TABLE IF NOT EXISTS _peerlock_changelog (
  seq   INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL
        DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)),
  tbl   TEXT NOT NULL,
  op    TEXT NOT NULL  -- 'I' inserted key, 'U' updated (new) key, 'D' deleted or replaced key
);
