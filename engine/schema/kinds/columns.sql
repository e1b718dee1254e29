-- columns.sql: the columns of the application schemas' relations ($1: their oids, oid[]).
SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull,
  a.attislocal, a.attinhcount, a.attidentity, a.attgenerated, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS defexpr,
  d.oid AS attrdef_oid,
  CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
       THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS coll,
  COALESCE(a.attstattarget::pg_catalog.int4, -1) AS stat, a.attstorage, t.typstorage,
  pg_catalog.array_to_string(a.attoptions, pg_catalog.chr(31)) AS opts, a.attcompression,
  NULL::pg_catalog.oid AS nn_oid, NULL::pg_catalog.name AS nn_name, NULL::bool AS nn_noinherit,
  NULL::bool AS nn_validated, NULL::bool AS nn_islocal, a.attacl IS NOT NULL AS has_acl
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind IN ('r','p','v','m','c')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
