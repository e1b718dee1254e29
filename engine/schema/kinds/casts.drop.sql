-- casts.drop.sql: the casts a restore drops with the schema named $1 before schema.sql creates
-- them again. A cast lives in no schema: it counts as its function's, else as its source's or
-- target's (the first not in pg_catalog), and a cast between built-in types as public's (a
-- restore always clears public). An extension's casts go with the extension.
SELECT c.oid::pg_catalog.text AS oid, pg_catalog.format_type(c.castsource, NULL) AS source,
  pg_catalog.format_type(c.casttarget, NULL) AS target
FROM pg_catalog.pg_cast c
JOIN pg_catalog.pg_type st ON st.oid = c.castsource JOIN pg_catalog.pg_namespace sn ON sn.oid = st.typnamespace
JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget JOIN pg_catalog.pg_namespace tn ON tn.oid = tt.typnamespace
LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
WHERE c.oid >= 16384
  AND COALESCE(NULLIF(fn.nspname, 'pg_catalog'), NULLIF(sn.nspname, 'pg_catalog'), NULLIF(tn.nspname, 'pg_catalog'), 'public') = $1
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
ORDER BY 2, 3
