-- acls.sql: the ACL columns of every kind that carries one in the application schemas ($1:
-- their oids, oid[]), exploded in stored order. A NULL ACL is exploded as the built-in default
-- so that the writer can re-create it when default privileges on the target would change it.
WITH acl AS (
  SELECT 1259::pg_catalog.oid AS cls, c.oid, 0 AS sub,
         COALESCE(c.relacl, pg_catalog.acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::pg_catalog."char", c.relowner)) AS a
  FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind IN ('r','p','v','m','S','f')
  UNION ALL
  SELECT 1259, a.attrelid, a.attnum, a.attacl
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  UNION ALL
  SELECT 2615, n.oid, 0, COALESCE(n.nspacl, pg_catalog.acldefault('n'::pg_catalog."char", n.nspowner))
  FROM pg_catalog.pg_namespace n WHERE n.oid = ANY($1::pg_catalog.oid[])
  UNION ALL
  SELECT 1255, p.oid, 0, COALESCE(p.proacl, pg_catalog.acldefault('f'::pg_catalog."char", p.proowner))
  FROM pg_catalog.pg_proc p WHERE p.pronamespace = ANY($1::pg_catalog.oid[])
  UNION ALL
  SELECT 1247, t.oid, 0, COALESCE(t.typacl, pg_catalog.acldefault('T'::pg_catalog."char", t.typowner))
  FROM pg_catalog.pg_type t WHERE t.typnamespace = ANY($1::pg_catalog.oid[]) AND t.typtype IN ('e','c','d','r')
)
SELECT acl.cls, acl.oid, acl.sub, x.ord, pg_catalog.pg_get_userbyid(x.grantor) AS grantor,
       CASE WHEN x.grantee = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
       x.privilege_type, x.is_grantable
FROM acl LEFT JOIN LATERAL pg_catalog.aclexplode(acl.a) WITH ORDINALITY
     AS x(grantor, grantee, privilege_type, is_grantable, ord) ON true
ORDER BY 1, 2, 3, 4
