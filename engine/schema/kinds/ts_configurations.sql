-- ts_configurations.sql: the text search configurations of the application schemas ($1: their
-- oids, oid[]), one row per configuration and token type; the dictionaries in mapping order,
-- each as regdictionary text (schema-qualified under search_path = ''), separated by chr(31).
SELECT c.oid, n.nspname, c.cfgname, pg_catalog.pg_get_userbyid(c.cfgowner) AS owner, pn.nspname AS prs_schema,
  p.prsname, m.token, m.dicts
FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
LEFT JOIN LATERAL (
  SELECT m.maptokentype, t.alias AS token,
         pg_catalog.string_agg(m.mapdict::pg_catalog.regdictionary::pg_catalog.text, pg_catalog.chr(31) ORDER BY m.mapseqno) AS dicts
  FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype
  WHERE m.mapcfg = c.oid GROUP BY m.maptokentype, t.alias) m ON true
WHERE c.cfgnamespace = ANY($1::pg_catalog.oid[])
ORDER BY c.oid, m.maptokentype
