-- role_memberships.sql: who is a member of which role, granted by whom, with ADMIN OPTION.
SELECT ur.rolname AS role, mr.rolname AS member, gr.rolname AS grantor, m.admin_option,
  NULL::bool AS inherit_option, NULL::bool AS set_option, NULL::bool AS member_inherits
FROM pg_catalog.pg_auth_members m
JOIN pg_catalog.pg_roles ur ON ur.oid = m.roleid
JOIN pg_catalog.pg_roles mr ON mr.oid = m.member
LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = m.grantor
WHERE mr.rolname !~ '^pg_'
ORDER BY ur.rolname COLLATE "C", mr.rolname COLLATE "C", gr.rolname COLLATE "C"
