-- relations.sql: tables, views, materialized views, sequences and composite types' relations
-- of the application and managed schemas ($1: their oids, oid[]).
SELECT c.oid, c.reltype, n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relkind,
  c.relpersistence, c.relreplident, c.relacl IS NOT NULL AS has_acl, c.relrowsecurity, c.relforcerowsecurity,
  c.relispartition, pg_catalog.array_to_string(c.reloptions, pg_catalog.chr(31)) AS reloptions,
  pg_catalog.array_to_string(tc.reloptions, pg_catalog.chr(31)) AS toast_reloptions,
  CASE WHEN c.relkind IN ('r','p','m') AND am.amname IS NOT NULL AND am.amname <> 'heap' THEN am.amname END AS access_method,
  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partbound,
  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,
  CASE WHEN c.relkind IN ('v','m') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef,
  (SELECT pg_catalog.string_agg(i.inhparent::pg_catalog.text, ',' ORDER BY i.inhseqno)
     FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) AS parents,
  (SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') AS rewrite_oid,
  pg_catalog.format_type(s.seqtypid, NULL) AS seq_type, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
  s.seqcycle, sd.refobjid AS seq_owner, sd.refobjsubid AS seq_owner_col, sd.deptype AS seq_deptype
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid
LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_depend sd ON c.relkind = 'S' AND sd.classid = 1259 AND sd.objid = c.oid
     AND sd.refclassid = 1259 AND sd.deptype IN ('a','i')
WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind IN ('r','p','v','m','S','c')
ORDER BY c.oid
