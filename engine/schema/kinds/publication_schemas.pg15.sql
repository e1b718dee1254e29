-- publication_schemas.pg15.sql: the schemas of publications FOR TABLES IN SCHEMA (15 and newer).
SELECT pn.pnpubid, n.nspname FROM pg_catalog.pg_publication_namespace pn
JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid ORDER BY n.nspname COLLATE "C"
