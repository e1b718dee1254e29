-- default_acls.sql: every pg_default_acl entry, exploded in stored order.
SELECT d.oid, pg_catalog.pg_get_userbyid(d.defaclrole) AS role, COALESCE(n.nspname, '') AS nsp,
  d.defaclobjtype, x.ord, pg_catalog.pg_get_userbyid(x.grantor) AS grantor,
  CASE WHEN x.grantee = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
  x.privilege_type, x.is_grantable
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) WITH ORDINALITY AS x(grantor, grantee, privilege_type, is_grantable, ord) ON true
ORDER BY d.oid, x.ord
