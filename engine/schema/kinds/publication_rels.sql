-- publication_rels.sql: the tables of every publication (14 has no row filters or column lists).
SELECT pr.prpubid, pr.prrelid, NULL::pg_catalog.text AS qual, NULL::pg_catalog.text AS cols
FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid
