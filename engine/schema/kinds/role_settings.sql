-- role_settings.sql: per-role settings (setdatabase = 0), then the per-role settings for this
-- database.
SELECT r.rolname, d.datname, s.setdatabase = 0 AS global,
       pg_catalog.split_part(c.cfg, '=', 1) AS name,
       pg_catalog.substr(c.cfg, pg_catalog.strpos(c.cfg, '=') + 1) AS value
FROM pg_catalog.pg_db_role_setting s
JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS c(cfg, ord)
WHERE r.rolname !~ '^pg_'
  AND (s.setdatabase = 0 OR d.datname = pg_catalog.current_database())
ORDER BY s.setdatabase <> 0, r.rolname COLLATE "C", c.ord
