-- casts.sql: the casts created after initdb (pg_cast rows from FirstNormalObjectId on; none
-- of the built-in ones), with their types as the server formats them and their function as
-- regprocedure text. Casts a type or function owns internally go with it; the caller leaves
-- out an extension's casts.
SELECT c.oid, pg_catalog.format_type(c.castsource, NULL) AS source, pg_catalog.format_type(c.casttarget, NULL) AS target,
  c.castmethod, c.castcontext,
  CASE WHEN c.castfunc <> 0 THEN c.castfunc::pg_catalog.regprocedure::pg_catalog.text END AS function,
  sn.nspname AS source_schema, tn.nspname AS target_schema, fn.nspname AS function_schema
FROM pg_catalog.pg_cast c
JOIN pg_catalog.pg_type st ON st.oid = c.castsource JOIN pg_catalog.pg_namespace sn ON sn.oid = st.typnamespace
JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget JOIN pg_catalog.pg_namespace tn ON tn.oid = tt.typnamespace
LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'i')
ORDER BY c.oid
