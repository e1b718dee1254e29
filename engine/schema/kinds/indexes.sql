-- indexes.sql: the indexes of the application schemas ($1: their oids, oid[]).
SELECT i.indexrelid, i.indrelid, n.nspname, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid) AS def,
  i.indisclustered, i.indisreplident,
  EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) AS is_child,
  (SELECT co.oid FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
     AND co.contype IN ('p','u','x')) AS con
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ic.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY i.indexrelid
