-- constraints.pg18.sql: as constraints.sql, plus the tables' own NOT NULL constraints that are
-- NOT VALID: they are added after the data like NOT VALID checks (the valid ones are written
-- with their column).
SELECT co.oid, co.conname, n.nspname, co.contype, co.conrelid, co.contypid, co.conparentid, co.conindid,
  co.conislocal, co.convalidated, pg_catalog.pg_get_constraintdef(co.oid) AS def
FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace
WHERE co.connamespace = ANY($1::pg_catalog.oid[]) AND (co.contype IN ('c','f','p','u','x')
  OR (co.contype = 'n' AND co.conrelid <> 0 AND NOT co.convalidated AND co.conislocal))
ORDER BY co.oid
