-- rules.sql: the rules (other than views' _RETURN) of the application schemas ($1: their oids, oid[]).
SELECT r.oid, r.ev_class, r.rulename, pg_catalog.pg_get_ruledef(r.oid) AS def, r.ev_enabled
FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
WHERE r.rulename <> '_RETURN' AND c.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY r.oid
