-- extensions.sql: the extensions of the database (plpgsql is every database's).
SELECT e.oid, e.extname, n.nspname FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.oid
