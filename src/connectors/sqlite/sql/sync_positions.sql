-- Where each sync stream stands in a SQLite target: written in the same transaction as the
-- changes it covers, so a restarted sync continues exactly after what the target holds.
CREATE TABLE IF NOT EXISTS _peerlock_sync (
  stream     TEXT PRIMARY KEY,
  position   TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
