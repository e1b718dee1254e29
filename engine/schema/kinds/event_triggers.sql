-- event_triggers.sql: every event trigger of the database, with its CREATE EVENT TRIGGER.
SELECT e.oid, e.evtname, e.evtenabled,
  'CREATE EVENT TRIGGER ' || pg_catalog.quote_ident(e.evtname) || ' ON ' || pg_catalog.quote_ident(e.evtevent)
  || CASE WHEN e.evttags IS NOT NULL THEN ' WHEN TAG IN (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(t), ', ')
                                                              FROM pg_catalog.unnest(e.evttags) AS t) || ')' ELSE '' END
  || ' EXECUTE FUNCTION ' || e.evtfoid::pg_catalog.regproc::pg_catalog.text || '();' AS def
FROM pg_catalog.pg_event_trigger e
ORDER BY e.evtname COLLATE "C"
