-- Records position ?2 for stream ?1 (in the apply transaction).
INSERT INTO _peerlock_sync (stream, position, applied_at)
VALUES (?1, ?2, strftime('%Y-%m-%d %H:%M:%f', 'now'))
ON CONFLICT (stream) DO UPDATE SET position = excluded.position, applied_at = excluded.applied_at;
