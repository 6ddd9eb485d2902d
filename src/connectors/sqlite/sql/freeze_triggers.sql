-- The triggers of a cutover freeze (sqlite_freeze.cc): while any exists, the file is frozen.
SELECT name FROM sqlite_schema
WHERE type = 'trigger' AND name LIKE '\_peerlock\_freeze\_%' ESCAPE '\'
ORDER BY name;
