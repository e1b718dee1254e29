-- publication_rels.pg15.sql: the tables of every publication, with the row filter and column
-- list 15 added.
SELECT pr.prpubid, pr.prrelid, pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) AS qual,
  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.o)
   FROM pg_catalog.unnest(pr.prattrs) WITH ORDINALITY AS k(n, o) JOIN pg_catalog.pg_attribute a
     ON a.attrelid = pr.prrelid AND a.attnum = k.n) AS cols
FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid
