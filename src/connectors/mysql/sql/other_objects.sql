-- Routines and events: listed by inventory, not migrated.
SELECT lower(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL
SELECT 'event', EVENT_NAME FROM information_schema.EVENTS
WHERE EVENT_SCHEMA = DATABASE()
ORDER BY 1, 2
