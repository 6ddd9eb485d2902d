-- PeerLock's change-apply record in a sync target: per capture stream, the source position of
-- the last change set applied, written in that change set's own transaction (exactly once).
CREATE TABLE IF NOT EXISTS _peerlock_sync (
  stream     VARCHAR(255) NOT NULL,
  position   TEXT         NOT NULL,
  applied_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (stream)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
