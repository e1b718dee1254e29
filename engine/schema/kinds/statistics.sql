-- statistics.sql: the extended statistics objects of the application schemas ($1: their oids,
-- oid[]), with the server's CREATE STATISTICS text.
SELECT s.oid, s.stxrelid, n.nspname, s.stxname, pg_catalog.pg_get_userbyid(s.stxowner) AS owner,
  pg_catalog.pg_get_statisticsobjdef(s.oid) AS def, COALESCE(s.stxstattarget::pg_catalog.int4, -1) AS target
FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
WHERE s.stxnamespace = ANY($1::pg_catalog.oid[])
ORDER BY s.oid
