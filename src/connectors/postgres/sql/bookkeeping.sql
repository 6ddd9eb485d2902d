-- PeerLock's marker table in a PostgreSQL target: a row per chunk loaded, written in the
-- chunk's own transaction, so a resumed copy knows exactly which chunks are in.
CREATE TABLE IF NOT EXISTS public._peerlock_chunks (
  run_id     text        NOT NULL,
  table_name text        NOT NULL,
  chunk      integer     NOT NULL,
  rows       bigint      NOT NULL,
  digest     text        NOT NULL,
  loaded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, table_name, chunk)
)
