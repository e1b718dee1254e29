-- ts_configurations.drop.sql: the objects of pg_ts_config in the schema named $1 that stand alone (not an extension's,
-- not part of another object), for a restore to drop before schema.sql re-creates them.
SELECT o.oid::pg_catalog.text AS oid, o.cfgname AS name
FROM pg_catalog.pg_ts_config o JOIN pg_catalog.pg_namespace n ON n.oid = o.cfgnamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass AND d.objid = o.oid
                  AND d.deptype IN ('e', 'i', 'a') AND NOT (d.refclassid = d.classid AND d.refobjid = d.objid))
ORDER BY 2
