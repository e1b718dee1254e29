-- roles.sql: every role but the reserved pg_ ones (roles.sql of a backup); passwords are never
-- read (pg_roles masks them).
SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
       r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       CASE WHEN r.rolvaliduntil IS NULL THEN NULL
            WHEN r.rolvaliduntil = 'infinity' THEN 'infinity'
            ELSE pg_catalog.rtrim(pg_catalog.rtrim(pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC',
                                                                      'YYYY-MM-DD HH24:MI:SS.US'), '0'), '.') || '+00'
       END AS valid_until,
       r.rolname = CURRENT_USER AS is_current
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY r.rolname COLLATE "C"
