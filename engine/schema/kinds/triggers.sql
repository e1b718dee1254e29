-- triggers.sql: the triggers on tables of the application and managed schemas ($1: their
-- oids, oid[]), with the function of a trigger the application put into auth/storage.
SELECT t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, false) AS def, t.tgenabled,
  pn.nspname AS fn_schema, t.tgconstraint <> 0 AS is_constraint, p.oid AS fn_oid,
  pg_catalog.pg_get_userbyid(p.proowner) AS fn_owner,
  CASE WHEN pn.nspname IN ('auth', 'storage') AND pg_catalog.pg_get_userbyid(p.proowner) !~ '^supabase_'
       THEN p.oid::pg_catalog.regprocedure::pg_catalog.text END AS fn_sig,
  CASE WHEN pn.nspname IN ('auth', 'storage') AND pg_catalog.pg_get_userbyid(p.proowner) !~ '^supabase_'
       THEN pg_catalog.pg_get_functiondef(p.oid) END AS fn_def
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND c.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY t.oid
