-- ts_dictionaries.sql: the text search dictionaries of the application schemas ($1: their
-- oids, oid[]), with their template and dictinitoption as stored.
SELECT d.oid, n.nspname, d.dictname, pg_catalog.pg_get_userbyid(d.dictowner) AS owner, tn.nspname AS tmpl_schema,
  t.tmplname, d.dictinitoption
FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE d.dictnamespace = ANY($1::pg_catalog.oid[])
ORDER BY d.oid
