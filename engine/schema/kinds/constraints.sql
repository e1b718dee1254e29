-- constraints.sql: the check, foreign-key, primary-key, unique and exclusion constraints of the
-- application schemas ($1: their oids, oid[]).
SELECT co.oid, co.conname, n.nspname, co.contype, co.conrelid, co.contypid, co.conparentid, co.conindid,
  co.conislocal, co.convalidated, pg_catalog.pg_get_constraintdef(co.oid) AS def
FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace
WHERE co.connamespace = ANY($1::pg_catalog.oid[]) AND (co.contype IN ('c','f','p','u','x'))
ORDER BY co.oid
