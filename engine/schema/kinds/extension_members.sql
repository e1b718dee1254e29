-- extension_members.sql: the objects each extension owns.
SELECT d.classid, d.objid, d.refobjid FROM pg_catalog.pg_depend d
WHERE d.deptype = 'e' AND d.refclassid = 3079
