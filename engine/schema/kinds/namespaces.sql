-- namespaces.sql: every schema; the caller picks the application's and the managed ones.
SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, n.nspacl IS NOT NULL AS has_acl
FROM pg_catalog.pg_namespace n ORDER BY n.oid
