-- collations.sql: the collations of the application schemas ($1: their oids, oid[]),
-- each with its CREATE COLLATION option list. PostgreSQL 14 keeps an ICU locale in collcollate and has no ICU rules.
SELECT c.oid, n.nspname, c.collname, pg_catalog.pg_get_userbyid(c.collowner) AS owner,
  CASE c.collprovider
    WHEN 'i' THEN 'provider = icu, locale = ' || pg_catalog.quote_literal(c.collcollate)
    WHEN 'b' THEN 'provider = builtin, locale = ' || pg_catalog.quote_literal(c.collcollate)
    ELSE 'provider = libc, lc_collate = ' || pg_catalog.quote_literal(c.collcollate) || ', lc_ctype = ' || pg_catalog.quote_literal(c.collctype)
  END
  || CASE WHEN NOT c.collisdeterministic THEN ', deterministic = false' ELSE '' END
  || CASE WHEN NULL::pg_catalog.text IS NOT NULL THEN ', rules = ' || pg_catalog.quote_literal(NULL::pg_catalog.text) ELSE '' END AS options
FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
WHERE c.collnamespace = ANY($1::pg_catalog.oid[]) AND c.collprovider <> 'd'
ORDER BY c.oid
