-- comments.sql: the comments on objects created after initdb (and on schema public).
SELECT d.classoid, d.objoid, d.objsubid, d.description
FROM pg_catalog.pg_description d
WHERE d.objoid >= 16384 OR (d.classoid = 2615 AND d.objoid = 2200)
ORDER BY 1, 2, 3
