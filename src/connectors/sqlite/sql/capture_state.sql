-- PeerLock's record of each change capture in a SQLite source: the changelog position it
-- started at, so a repeated StartCapture returns the same start. Dropped with the last capture.
CREATE TABLE IF NOT EXISTS _peerlock_capture (
  name           TEXT PRIMARY KEY,
  start_position TEXT NOT NULL,
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
