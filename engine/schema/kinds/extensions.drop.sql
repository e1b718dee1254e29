-- extensions.drop.sql: the extensions installed in the schema named $1, for a restore to drop
-- (with their members) before schema.sql re-creates them.
SELECT e.oid::pg_catalog.text AS oid, e.extname AS name
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname = $1
ORDER BY 2
