SET statement_timeout = 0;
CREATE TABLE "a"";x" (id int); -- c
/* nested /* c */ */ SELECT $f$ ; $f$, E'\';', 'it''s';
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
COPY "public"."t" ("a") FROM stdin;
1	x
\N	\.y
\.
\restrict abc
\connect postgres
