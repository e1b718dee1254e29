-- policies.sql: the row-level security policies on tables of the application and managed
-- schemas ($1: their oids, oid[]).
SELECT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive,
  CASE WHEN p.polroles = '{0}' THEN '' ELSE (
    SELECT pg_catalog.string_agg(CASE WHEN r.r = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.r)) END,
                                 ', ' ORDER BY r.o)
    FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(r, o)) END AS roles,
  pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS wcheck
FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY p.oid
