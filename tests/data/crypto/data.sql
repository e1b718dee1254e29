1	Jane Doe 1	jane1@example.com	2026-12-03 02:00:00+00
2	Jane Doe 2	jane2@example.com	2026-12-03 02:00:00+00
3	Jane Doe 3	jane3@example.com	2026-12-03 02:00:00+00
4	Jane Doe 4	jane4@example.com	2026-12-03 02:00:00+00
5	Jane Doe 5	jane5@example.com	2026-12-03 02:00:00+00
6	Jane Doe 6	jane6@example.com	2026-12-03 02:00:00+00
