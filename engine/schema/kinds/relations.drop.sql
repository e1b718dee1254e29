-- relations.drop.sql: the tables, views, materialized views, foreign tables and sequences of
-- the schema named $1 that stand alone (a serial's sequence and a partition go with their
-- owner; a partitioned table depends internally on its own key columns, which does not count),
-- for a restore to drop before schema.sql re-creates them.
SELECT o.oid::pg_catalog.text AS oid, o.relkind, o.relname AS name
FROM pg_catalog.pg_class o JOIN pg_catalog.pg_namespace n ON n.oid = o.relnamespace
WHERE n.nspname = $1 AND o.relkind IN ('r','p','v','m','f','S')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = o.oid
                  AND d.deptype IN ('e', 'i', 'a') AND NOT (d.refclassid = d.classid AND d.refobjid = d.objid))
ORDER BY o.relkind DESC, 3
