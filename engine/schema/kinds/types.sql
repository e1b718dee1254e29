-- types.sql: the enum, composite, domain and range types of the application schemas ($1:
-- their oids, oid[]); 17 and newer keep a domain's NOT NULL as a named pg_constraint row.
SELECT t.oid, t.typarray, n.nspname, t.typname, pg_catalog.pg_get_userbyid(t.typowner) AS owner, t.typtype,
  t.typacl IS NOT NULL AS has_acl, t.typrelid,
  CASE WHEN t.typtype = 'e' THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                  FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END AS enum_labels,
  CASE WHEN t.typtype = 'c' THEN (
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
             || CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0
                     THEN ' COLLATE ' || (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
                                          FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                                          WHERE co.oid = a.attcollation) ELSE '' END,
             ', ' ORDER BY a.attnum)
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS composite_attrs,
  CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS domain_base,
  CASE WHEN t.typtype = 'd' AND t.typcollation <> 0
        AND t.typcollation <> (SELECT bt.typcollation FROM pg_catalog.pg_type bt WHERE bt.oid = t.typbasetype)
       THEN (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
             FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
             WHERE co.oid = t.typcollation) END AS domain_collation,
  CASE WHEN t.typtype = 'd' THEN pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass) END AS domain_default,
  t.typnotnull,
  -- 17 and newer keep a domain's NOT NULL as a named pg_constraint row (none before: NULL)
  (SELECT co.conname FROM pg_catalog.pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'n') AS not_null_name,
  rg.range_subtype, rg.range_opclass, rg.range_collation, rg.range_canonical, rg.range_subdiff,
  rg.range_multirange
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN LATERAL (
  SELECT pg_catalog.format_type(r.rngsubtype, NULL) AS range_subtype,
    (SELECT pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname)
       FROM pg_catalog.pg_opclass opc JOIN pg_catalog.pg_namespace ocn ON ocn.oid = opc.opcnamespace
       WHERE opc.oid = r.rngsubopc) AS range_opclass,
    (SELECT pg_catalog.quote_ident(rcn.nspname) || '.' || pg_catalog.quote_ident(rco.collname)
       FROM pg_catalog.pg_collation rco JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rco.collnamespace
       WHERE rco.oid = r.rngcollation) AS range_collation,
    CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::pg_catalog.text END AS range_canonical,
    CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::pg_catalog.text END AS range_subdiff,
    (SELECT pg_catalog.quote_ident(mn.nspname) || '.' || pg_catalog.quote_ident(mt.typname)
       FROM pg_catalog.pg_type mt JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace
       WHERE mt.oid = r.rngmultitypid) AS range_multirange
  FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid OFFSET 0) rg ON true
WHERE t.typnamespace = ANY($1::pg_catalog.oid[]) AND t.typtype IN ('e','c','d','r')
  AND (t.typtype <> 'c' OR (SELECT tc.relkind FROM pg_catalog.pg_class tc WHERE tc.oid = t.typrelid) = 'c')
ORDER BY t.oid
