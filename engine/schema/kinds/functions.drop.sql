-- functions.drop.sql: the functions, procedures and aggregates of the schema named $1 that
-- stand alone (a range type's constructors go with it), for a restore to drop before
-- schema.sql re-creates them.
SELECT o.oid::pg_catalog.text AS oid, o.prokind, o.oid::pg_catalog.regprocedure::pg_catalog.text AS signature
FROM pg_catalog.pg_proc o JOIN pg_catalog.pg_namespace n ON n.oid = o.pronamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = o.oid
                  AND d.deptype IN ('e', 'i', 'a') AND NOT (d.refclassid = d.classid AND d.refobjid = d.objid))
ORDER BY 3
