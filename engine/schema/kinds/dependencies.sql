-- dependencies.sql: the pg_depend edges between objects created after initdb.
SELECT DISTINCT d.classid, d.objid, d.refclassid, d.refobjid, d.deptype
FROM pg_catalog.pg_depend d
WHERE d.deptype IN ('n','a','i') AND d.objid >= 16384 AND d.refobjid >= 16384
ORDER BY 1, 2, 3, 4, 5
