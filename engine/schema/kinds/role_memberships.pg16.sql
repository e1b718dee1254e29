-- role_memberships.pg16.sql: as role_memberships.sql, with the INHERIT and SET options 16 added.
SELECT ur.rolname AS role, mr.rolname AS member, gr.rolname AS grantor, m.admin_option,
  m.inherit_option, m.set_option, mr.rolinherit AS member_inherits
FROM pg_catalog.pg_auth_members m
JOIN pg_catalog.pg_roles ur ON ur.oid = m.roleid
JOIN pg_catalog.pg_roles mr ON mr.oid = m.member
LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = m.grantor
WHERE mr.rolname !~ '^pg_'
ORDER BY ur.rolname COLLATE "C", mr.rolname COLLATE "C", gr.rolname COLLATE "C"
