-- types.drop.sql: the domains, enums, range and composite types of the schema named $1 that
-- stand alone, for a restore to drop before schema.sql re-creates them.
SELECT o.oid::pg_catalog.text AS oid, o.oid::pg_catalog.regtype::pg_catalog.text AS type_name
FROM pg_catalog.pg_type o JOIN pg_catalog.pg_namespace n ON n.oid = o.typnamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = o.oid
                  AND d.deptype IN ('e', 'i', 'a') AND NOT (d.refclassid = d.classid AND d.refobjid = d.objid))
  AND (o.typtype IN ('d','e','r')
       OR (o.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = o.typrelid) = 'c'))
ORDER BY 2
