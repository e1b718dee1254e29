-- unsupported.sql: objects of kinds schema.sql does not write, in the application schemas
-- ($1: their oids, oid[]) or, for kinds outside schemas, created after initdb; the caller leaves
-- out extension members. Plain filters without joins: this runs on every dump.
SELECT 'foreign table'::pg_catalog.text AS kind, c.relnamespace::pg_catalog.oid AS nsp, c.relname::pg_catalog.text AS name, 1259::pg_catalog.oid AS cls, c.oid AS oid
  FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind = 'f'
UNION ALL SELECT 'typed table', c.relnamespace, c.relname, 1259, c.oid FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.reloftype <> 0
UNION ALL SELECT 'base or shell type', t.typnamespace, t.typname, 1247, t.oid FROM pg_catalog.pg_type t WHERE t.typnamespace = ANY($1::pg_catalog.oid[]) AND t.typtype IN ('b','p') AND t.typcategory <> 'A'
UNION ALL SELECT 'operator', o.oprnamespace, o.oprname, 2617, o.oid FROM pg_catalog.pg_operator o WHERE o.oprnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'operator class', o.opcnamespace, o.opcname, 2616, o.oid FROM pg_catalog.pg_opclass o WHERE o.opcnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'operator family', o.opfnamespace, o.opfname, 2753, o.oid FROM pg_catalog.pg_opfamily o WHERE o.opfnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'text search parser', o.prsnamespace, o.prsname, 3601, o.oid FROM pg_catalog.pg_ts_parser o WHERE o.prsnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'text search template', o.tmplnamespace, o.tmplname, 3764, o.oid FROM pg_catalog.pg_ts_template o WHERE o.tmplnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'conversion', o.connamespace, o.conname, 2607, o.oid FROM pg_catalog.pg_conversion o WHERE o.connamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'foreign-data wrapper', 0, o.fdwname, 2328, o.oid FROM pg_catalog.pg_foreign_data_wrapper o WHERE o.oid >= 16384
UNION ALL SELECT 'foreign server', 0, o.srvname, 1417, o.oid FROM pg_catalog.pg_foreign_server o WHERE o.oid >= 16384
UNION ALL SELECT 'user mapping', 0, 'FOR ' || CASE WHEN u.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(u.umuser)::pg_catalog.text END
  || ' SERVER ' || u.srvname, 1418, u.umid FROM pg_catalog.pg_user_mappings u
UNION ALL SELECT 'procedural language', 0, o.lanname, 2612, o.oid FROM pg_catalog.pg_language o WHERE o.oid >= 16384
UNION ALL SELECT 'access method', 0, o.amname, 2601, o.oid FROM pg_catalog.pg_am o WHERE o.oid >= 16384
UNION ALL SELECT 'transform', 0, o.trftype::pg_catalog.regtype::pg_catalog.text, 3576, o.oid FROM pg_catalog.pg_transform o WHERE o.oid >= 16384
