#include "engine/catalog/catalog.hpp"

#include "engine/catalog/query_batch.hpp"
#include "pgwire/quote.hpp"


#include <set>

namespace crm::engine::catalog {
namespace {

Oid oid_at(const pg::Result& r, int row, std::string_view col) { return static_cast<Oid>(r.get_int(row, col)); }
char char_at(const pg::Result& r, int row, std::string_view col) {
  auto v = r.get(row, col);
  return v.empty() ? '\0' : v[0];
}
std::string str_at(const pg::Result& r, int row, std::string_view col) { return std::string(r.get(row, col)); }

std::vector<std::string> split_unit(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find('\x1f', start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::string oid_array(const std::vector<Oid>& oids) {
  std::string s = "{";
  for (size_t i = 0; i < oids.size(); ++i) s += (i ? "," : "") + std::to_string(oids[i]);
  return s + "}";
}

AclEntry acl_entry(const pg::Result& r, int i) {
  return {str_at(r, i, "grantor"), str_at(r, i, "grantee"), str_at(r, i, "privilege_type"),
          r.get_bool(i, "is_grantable")};
}

// The ACL columns of every kind that carries one, exploded in stored order. A NULL ACL is
// exploded as the built-in default so that callers can re-create it when default
// privileges on the target would otherwise change it.
constexpr const char* kAclQuery = R"SQL(
WITH acl AS (
  SELECT 1259::pg_catalog.oid AS cls, c.oid, 0 AS sub,
         COALESCE(c.relacl, pg_catalog.acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::pg_catalog."char", c.relowner)) AS a
  FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind IN ('r','p','v','m','S','f')
  UNION ALL
  SELECT 1259, a.attrelid, a.attnum, a.attacl
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  UNION ALL
  SELECT 2615, n.oid, 0, COALESCE(n.nspacl, pg_catalog.acldefault('n'::pg_catalog."char", n.nspowner))
  FROM pg_catalog.pg_namespace n WHERE n.oid = ANY($1::pg_catalog.oid[])
  UNION ALL
  SELECT 1255, p.oid, 0, COALESCE(p.proacl, pg_catalog.acldefault('f'::pg_catalog."char", p.proowner))
  FROM pg_catalog.pg_proc p WHERE p.pronamespace = ANY($1::pg_catalog.oid[])
  UNION ALL
  SELECT 1247, t.oid, 0, COALESCE(t.typacl, pg_catalog.acldefault('T'::pg_catalog."char", t.typowner))
  FROM pg_catalog.pg_type t WHERE t.typnamespace = ANY($1::pg_catalog.oid[]) AND t.typtype IN ('e','c','d','r')
)
SELECT acl.cls, acl.oid, acl.sub, x.ord, pg_catalog.pg_get_userbyid(x.grantor) AS grantor,
       CASE WHEN x.grantee = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
       x.privilege_type, x.is_grantable
FROM acl LEFT JOIN LATERAL pg_catalog.aclexplode(acl.a) WITH ORDINALITY
     AS x(grantor, grantee, privilege_type, is_grantable, ord) ON true
ORDER BY 1, 2, 3, 4
)SQL";

constexpr const char* kTypesQuery = R"SQL(
SELECT t.oid, t.typarray, n.nspname, t.typname, pg_catalog.pg_get_userbyid(t.typowner) AS owner, t.typtype,
  t.typacl IS NOT NULL AS has_acl, t.typrelid,
  CASE WHEN t.typtype = 'e' THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                  FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END AS enum_labels,
  CASE WHEN t.typtype = 'c' THEN (
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
             || CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0
                     THEN ' COLLATE ' || (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
                                          FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                                          WHERE co.oid = a.attcollation) ELSE '' END,
             ', ' ORDER BY a.attnum)
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS composite_attrs,
  CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS domain_base,
  CASE WHEN t.typtype = 'd' AND t.typcollation <> 0
        AND t.typcollation <> (SELECT bt.typcollation FROM pg_catalog.pg_type bt WHERE bt.oid = t.typbasetype)
       THEN (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
             FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
             WHERE co.oid = t.typcollation) END AS domain_collation,
  CASE WHEN t.typtype = 'd' THEN pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass) END AS domain_default,
  t.typnotnull,
  -- 17 and newer keep a domain's NOT NULL as a named pg_constraint row (none before: NULL)
  (SELECT co.conname FROM pg_catalog.pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'n') AS not_null_name,
  rg.range_subtype, rg.range_opclass, rg.range_collation, rg.range_canonical, rg.range_subdiff,
  rg.range_multirange
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN LATERAL (
  SELECT pg_catalog.format_type(r.rngsubtype, NULL) AS range_subtype,
    (SELECT pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname)
       FROM pg_catalog.pg_opclass opc JOIN pg_catalog.pg_namespace ocn ON ocn.oid = opc.opcnamespace
       WHERE opc.oid = r.rngsubopc) AS range_opclass,
    (SELECT pg_catalog.quote_ident(rcn.nspname) || '.' || pg_catalog.quote_ident(rco.collname)
       FROM pg_catalog.pg_collation rco JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rco.collnamespace
       WHERE rco.oid = r.rngcollation) AS range_collation,
    CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::pg_catalog.text END AS range_canonical,
    CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::pg_catalog.text END AS range_subdiff,
    (SELECT pg_catalog.quote_ident(mn.nspname) || '.' || pg_catalog.quote_ident(mt.typname)
       FROM pg_catalog.pg_type mt JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace
       WHERE mt.oid = r.rngmultitypid) AS range_multirange
  FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid OFFSET 0) rg ON true
WHERE t.typnamespace = ANY($1::pg_catalog.oid[]) AND t.typtype IN ('e','c','d','r')
  AND (t.typtype <> 'c' OR (SELECT tc.relkind FROM pg_catalog.pg_class tc WHERE tc.oid = t.typrelid) = 'c')
ORDER BY t.oid
)SQL";

constexpr const char* kRelationsQuery = R"SQL(
SELECT c.oid, c.reltype, n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relkind,
  c.relpersistence, c.relreplident, c.relacl IS NOT NULL AS has_acl, c.relrowsecurity, c.relforcerowsecurity,
  c.relispartition, pg_catalog.array_to_string(c.reloptions, pg_catalog.chr(31)) AS reloptions,
  pg_catalog.array_to_string(tc.reloptions, pg_catalog.chr(31)) AS toast_reloptions,
  CASE WHEN c.relkind IN ('r','p','m') AND am.amname IS NOT NULL AND am.amname <> 'heap' THEN am.amname END AS access_method,
  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partbound,
  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,
  CASE WHEN c.relkind IN ('v','m') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef,
  (SELECT pg_catalog.string_agg(i.inhparent::pg_catalog.text, ',' ORDER BY i.inhseqno)
     FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) AS parents,
  (SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') AS rewrite_oid,
  pg_catalog.format_type(s.seqtypid, NULL) AS seq_type, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
  s.seqcycle, sd.refobjid AS seq_owner, sd.refobjsubid AS seq_owner_col, sd.deptype AS seq_deptype
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid
LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_depend sd ON c.relkind = 'S' AND sd.classid = 1259 AND sd.objid = c.oid
     AND sd.refclassid = 1259 AND sd.deptype IN ('a','i')
WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind IN ('r','p','v','m','S','c')
ORDER BY c.oid
)SQL";

std::string columns_query(pg::PgVersion v) {
  std::string compression = v.at_least(14) ? "a.attcompression" : "''::pg_catalog.text AS attcompression";
  // 18 stores a column's NOT NULL as a pg_constraint row with a name, NO INHERIT and NOT VALID
  // (attnotnull is then true even while the constraint is not valid).
  std::string not_null = v.at_least(18)
      ? "nn.oid AS nn_oid, nn.conname AS nn_name, nn.connoinherit AS nn_noinherit, nn.convalidated AS nn_validated"
      : "NULL::pg_catalog.oid AS nn_oid, NULL::pg_catalog.name AS nn_name, NULL::bool AS nn_noinherit, "
        "NULL::bool AS nn_validated";
  std::string not_null_join = v.at_least(18)
      ? "LEFT JOIN pg_catalog.pg_constraint nn ON nn.conrelid = a.attrelid AND nn.contype = 'n' AND nn.conkey[1] = a.attnum\n"
      : "";
  return R"SQL(
SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull,
  a.attislocal, a.attinhcount, a.attidentity, a.attgenerated, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS defexpr,
  d.oid AS attrdef_oid,
  CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
       THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS coll,
  COALESCE(a.attstattarget::pg_catalog.int4, -1) AS stat, a.attstorage, t.typstorage,
  pg_catalog.array_to_string(a.attoptions, pg_catalog.chr(31)) AS opts, )SQL" +
         compression + ", " + not_null + R"SQL(, a.attacl IS NOT NULL AS has_acl
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
)SQL" + not_null_join + R"SQL(WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind IN ('r','p','v','m','c')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
)SQL";
}

// On 18 also the table NOT NULL constraints that are NOT VALID and the table's own: they are
// added after the data like NOT VALID checks (the valid ones are written with their column).
std::string constraints_query(pg::PgVersion v) {
  std::string not_valid_not_null =
      v.at_least(18) ? " OR (co.contype = 'n' AND co.conrelid <> 0 AND NOT co.convalidated AND co.conislocal)" : "";
  return R"SQL(
SELECT co.oid, co.conname, n.nspname, co.contype, co.conrelid, co.contypid, co.conparentid, co.conindid,
  co.conislocal, co.convalidated, pg_catalog.pg_get_constraintdef(co.oid) AS def
FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace
WHERE co.connamespace = ANY($1::pg_catalog.oid[]) AND (co.contype IN ('c','f','p','u','x'))SQL" +
         not_valid_not_null + R"SQL()
ORDER BY co.oid
)SQL";
}

constexpr const char* kIndexesQuery = R"SQL(
SELECT i.indexrelid, i.indrelid, n.nspname, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid) AS def,
  i.indisclustered, i.indisreplident,
  EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) AS is_child,
  (SELECT co.oid FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
     AND co.contype IN ('p','u','x')) AS con
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ic.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY i.indexrelid
)SQL";

constexpr const char* kFunctionsQuery = R"SQL(
SELECT p.oid, n.nspname, p.proname, pg_catalog.pg_get_userbyid(p.proowner) AS owner, p.prokind,
  p.proacl IS NOT NULL AS has_acl, pg_catalog.pg_get_function_identity_arguments(p.oid) AS idargs,
  pg_catalog.pg_get_function_arguments(p.oid) AS args,
  CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS def,
  CASE WHEN p.prokind = 'a' THEN pg_catalog.concat_ws(', ',
    'SFUNC = ' || a.aggtransfn::pg_catalog.regproc::pg_catalog.text,
    'STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL),
    CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END,
    CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
    CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY'
         WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
    CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.agginitval IS NOT NULL THEN 'INITCOND = ' || pg_catalog.quote_literal(a.agginitval) END,
    CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || a.aggminvtransfn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.aggmtransfn <> 0 THEN 'MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) END,
    CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END,
    CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::pg_catalog.regproc::pg_catalog.text END,
    CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
    CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY'
         WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
    CASE WHEN a.aggminitval IS NOT NULL THEN 'MINITCOND = ' || pg_catalog.quote_literal(a.aggminitval) END,
    CASE WHEN a.aggsortop <> 0 THEN 'SORTOP = OPERATOR(' || pg_catalog.quote_ident(opn.nspname) || '.' || op.oprname || ')' END,
    CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END,
    CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END) END AS aggbody
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
LEFT JOIN pg_catalog.pg_operator op ON op.oid = a.aggsortop
LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = op.oprnamespace
WHERE p.pronamespace = ANY($1::pg_catalog.oid[])
  -- range and multirange constructors belong to their type
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 1255 AND d.objid = p.oid AND d.deptype = 'i')
ORDER BY p.oid
)SQL";

constexpr const char* kTriggersQuery = R"SQL(
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
)SQL";

constexpr const char* kPoliciesQuery = R"SQL(
SELECT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive,
  CASE WHEN p.polroles = '{0}' THEN '' ELSE (
    SELECT pg_catalog.string_agg(CASE WHEN r.r = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.r)) END,
                                 ', ' ORDER BY r.o)
    FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(r, o)) END AS roles,
  pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS wcheck
FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY p.oid
)SQL";

constexpr const char* kRulesQuery = R"SQL(
SELECT r.oid, r.ev_class, r.rulename, pg_catalog.pg_get_ruledef(r.oid) AS def, r.ev_enabled
FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
WHERE r.rulename <> '_RETURN' AND c.relnamespace = ANY($1::pg_catalog.oid[])
ORDER BY r.oid
)SQL";

constexpr const char* kDefaultAclQuery = R"SQL(
SELECT d.oid, pg_catalog.pg_get_userbyid(d.defaclrole) AS role, COALESCE(n.nspname, '') AS nsp,
  d.defaclobjtype, x.ord, pg_catalog.pg_get_userbyid(x.grantor) AS grantor,
  CASE WHEN x.grantee = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
  x.privilege_type, x.is_grantable
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) WITH ORDINALITY AS x(grantor, grantee, privilege_type, is_grantable, ord) ON true
ORDER BY d.oid, x.ord
)SQL";

constexpr const char* kPublicationsQuery = R"SQL(
SELECT p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner) AS owner, p.puballtables, p.pubinsert, p.pubupdate,
  p.pubdelete, p.pubtruncate, p.pubviaroot
FROM pg_catalog.pg_publication p ORDER BY p.oid
)SQL";

std::string publication_rels_query(pg::PgVersion v) {
  std::string extra = v.at_least(15)
      ? "pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) AS qual, "
        "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.o) "
        "FROM pg_catalog.unnest(pr.prattrs) WITH ORDINALITY AS k(n, o) JOIN pg_catalog.pg_attribute a "
        "ON a.attrelid = pr.prrelid AND a.attnum = k.n) AS cols"
      : "NULL::pg_catalog.text AS qual, NULL::pg_catalog.text AS cols";
  return "SELECT pr.prpubid, pr.prrelid, " + extra + " FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid";
}

constexpr const char* kCommentsQuery = R"SQL(
SELECT d.classoid, d.objoid, d.objsubid, d.description
FROM pg_catalog.pg_description d
WHERE d.objoid >= 16384 OR (d.classoid = 2615 AND d.objoid = 2200)
ORDER BY 1, 2, 3
)SQL";

constexpr const char* kDependQuery = R"SQL(
SELECT DISTINCT d.classid, d.objid, d.refclassid, d.refobjid, d.deptype
FROM pg_catalog.pg_depend d
WHERE d.deptype IN ('n','a','i') AND d.objid >= 16384 AND d.refobjid >= 16384
ORDER BY 1, 2, 3, 4, 5
)SQL";

constexpr const char* kExtensionMembersQuery = R"SQL(
SELECT d.classid, d.objid, d.refobjid FROM pg_catalog.pg_depend d
WHERE d.deptype = 'e' AND d.refclassid = 3079
)SQL";

std::string collations_query(pg::PgVersion v) {
  std::string locale = v.at_least(17) ? "c.colllocale" : v.at_least(15) ? "c.colliculocale" : "c.collcollate";
  std::string rules = v.at_least(16) ? "c.collicurules" : "NULL::pg_catalog.text";
  return R"SQL(
SELECT c.oid, n.nspname, c.collname, pg_catalog.pg_get_userbyid(c.collowner) AS owner,
  CASE c.collprovider
    WHEN 'i' THEN 'provider = icu, locale = ' || pg_catalog.quote_literal()SQL" + locale + R"SQL()
    WHEN 'b' THEN 'provider = builtin, locale = ' || pg_catalog.quote_literal()SQL" + locale + R"SQL()
    ELSE 'provider = libc, lc_collate = ' || pg_catalog.quote_literal(c.collcollate) || ', lc_ctype = ' || pg_catalog.quote_literal(c.collctype)
  END
  || CASE WHEN NOT c.collisdeterministic THEN ', deterministic = false' ELSE '' END
  || CASE WHEN )SQL" + rules + R"SQL( IS NOT NULL THEN ', rules = ' || pg_catalog.quote_literal()SQL" + rules + R"SQL() ELSE '' END AS options
FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
WHERE c.collnamespace = ANY($1::pg_catalog.oid[]) AND c.collprovider <> 'd'
ORDER BY c.oid
)SQL";
}

constexpr const char* kStatisticsQuery = R"SQL(
SELECT s.oid, s.stxrelid, n.nspname, s.stxname, pg_catalog.pg_get_userbyid(s.stxowner) AS owner,
  pg_catalog.pg_get_statisticsobjdef(s.oid) AS def, COALESCE(s.stxstattarget::pg_catalog.int4, -1) AS target
FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
WHERE s.stxnamespace = ANY($1::pg_catalog.oid[])
ORDER BY s.oid
)SQL";

constexpr const char* kTsDictionariesQuery = R"SQL(
SELECT d.oid, n.nspname, d.dictname, pg_catalog.pg_get_userbyid(d.dictowner) AS owner, tn.nspname AS tmpl_schema,
  t.tmplname, d.dictinitoption
FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE d.dictnamespace = ANY($1::pg_catalog.oid[])
ORDER BY d.oid
)SQL";

// One row per configuration and token type; the dictionaries in mapping order, each as
// regdictionary text (schema-qualified under search_path = '').
constexpr const char* kTsConfigurationsQuery = R"SQL(
SELECT c.oid, n.nspname, c.cfgname, pg_catalog.pg_get_userbyid(c.cfgowner) AS owner, pn.nspname AS prs_schema,
  p.prsname, m.token, m.dicts
FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
LEFT JOIN LATERAL (
  SELECT m.maptokentype, t.alias AS token,
         pg_catalog.string_agg(m.mapdict::pg_catalog.regdictionary::pg_catalog.text, pg_catalog.chr(31) ORDER BY m.mapseqno) AS dicts
  FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype
  WHERE m.mapcfg = c.oid GROUP BY m.maptokentype, t.alias) m ON true
WHERE c.cfgnamespace = ANY($1::pg_catalog.oid[])
ORDER BY c.oid, m.maptokentype
)SQL";

constexpr const char* kEventTriggersQuery = R"SQL(
SELECT e.oid, e.evtname, e.evtenabled,
  'CREATE EVENT TRIGGER ' || pg_catalog.quote_ident(e.evtname) || ' ON ' || pg_catalog.quote_ident(e.evtevent)
  || CASE WHEN e.evttags IS NOT NULL THEN ' WHEN TAG IN (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(t), ', ')
                                                              FROM pg_catalog.unnest(e.evttags) AS t) || ')' ELSE '' END
  || ' EXECUTE FUNCTION ' || e.evtfoid::pg_catalog.regproc::pg_catalog.text || '();' AS def
FROM pg_catalog.pg_event_trigger e
ORDER BY e.evtname COLLATE "C"
)SQL";

// Objects of kinds schema.sql does not write, in the application schemas (or, for kinds
// outside schemas, created after initdb); extension members are filtered by the caller.
// Plain filters without joins: this runs on every dump and is planned every time.
constexpr const char* kUnsupportedQuery = R"SQL(
SELECT 'foreign table'::pg_catalog.text AS kind, c.relnamespace::pg_catalog.oid AS nsp, c.relname::pg_catalog.text AS name, 1259::pg_catalog.oid AS cls, c.oid AS oid
  FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.relkind = 'f'
UNION ALL SELECT 'typed table', c.relnamespace, c.relname, 1259, c.oid FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY($1::pg_catalog.oid[]) AND c.reloftype <> 0
UNION ALL SELECT 'base or shell type', t.typnamespace, t.typname, 1247, t.oid FROM pg_catalog.pg_type t WHERE t.typnamespace = ANY($1::pg_catalog.oid[]) AND t.typtype IN ('b','p') AND t.typcategory <> 'A'
UNION ALL SELECT 'operator', o.oprnamespace, o.oprname, 2617, o.oid FROM pg_catalog.pg_operator o WHERE o.oprnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'operator class', o.opcnamespace, o.opcname, 2616, o.oid FROM pg_catalog.pg_opclass o WHERE o.opcnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'operator family', o.opfnamespace, o.opfname, 2753, o.oid FROM pg_catalog.pg_opfamily o WHERE o.opfnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'text search parser', o.prsnamespace, o.prsname, 3601, o.oid FROM pg_catalog.pg_ts_parser o WHERE o.prsnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'text search template', o.tmplnamespace, o.tmplname, 3764, o.oid FROM pg_catalog.pg_ts_template o WHERE o.tmplnamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'conversion', o.connamespace, o.conname, 2607, o.oid FROM pg_catalog.pg_conversion o WHERE o.connamespace = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'cast', 0, pg_catalog.format_type(o.castsource, NULL) || ' AS ' || pg_catalog.format_type(o.casttarget, NULL), 2605, o.oid FROM pg_catalog.pg_cast o WHERE o.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 2605 AND d.objid = o.oid AND d.deptype = 'i')
UNION ALL SELECT 'foreign-data wrapper', 0, o.fdwname, 2328, o.oid FROM pg_catalog.pg_foreign_data_wrapper o WHERE o.oid >= 16384
UNION ALL SELECT 'foreign server', 0, o.srvname, 1417, o.oid FROM pg_catalog.pg_foreign_server o WHERE o.oid >= 16384
UNION ALL SELECT 'user mapping', 0, 'FOR ' || CASE WHEN u.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(u.umuser)::pg_catalog.text END
  || ' SERVER ' || u.srvname, 1418, u.umid FROM pg_catalog.pg_user_mappings u
UNION ALL SELECT 'procedural language', 0, o.lanname, 2612, o.oid FROM pg_catalog.pg_language o WHERE o.oid >= 16384
UNION ALL SELECT 'access method', 0, o.amname, 2601, o.oid FROM pg_catalog.pg_am o WHERE o.oid >= 16384
UNION ALL SELECT 'transform', 0, o.trftype::pg_catalog.regtype::pg_catalog.text, 3576, o.oid FROM pg_catalog.pg_transform o WHERE o.oid >= 16384
)SQL";

}  // namespace

bool is_left_out_schema(const std::string& n) {
  static const std::set<std::string> exact = {
      "information_schema", "_analytics", "_realtime", "_supavisor", "auth", "etl", "extensions", "pgbouncer",
      "realtime", "storage", "supabase_functions", "supabase_migrations", "cron", "dbdev", "graphql",
      "graphql_public", "net", "pgmq", "pgsodium", "pgsodium_masks", "pgtle", "repack", "tiger", "tiger_data",
      "topology", "vault"};
  auto starts = [&](std::string_view p) { return n.compare(0, p.size(), p) == 0; };
  return exact.count(n) > 0 || starts("pg_") || starts("timescaledb_") || starts("_timescaledb_");
}

bool is_managed_app_schema(const std::string& n) { return n == "auth" || n == "storage"; }

Catalog load_catalog(pg::Connection& conn) {
  Catalog cat;
  cat.version = pg::PgVersion::of(conn);
  cat.version.require_supported("schema dump");

  std::vector<Oid> app, all;
  {
    auto r = conn.exec(
        "SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, n.nspacl IS NOT NULL AS has_acl "
        "FROM pg_catalog.pg_namespace n ORDER BY n.oid");
    for (int i = 0; i < r.rows(); ++i) {
      Namespace ns{oid_at(r, i, "oid"), str_at(r, i, "nspname"), str_at(r, i, "owner"), r.get_bool(i, "has_acl")};
      if (!is_left_out_schema(ns.name)) {
        app.push_back(ns.oid);
        all.push_back(ns.oid);
        cat.namespaces.push_back(std::move(ns));
      } else if (is_managed_app_schema(ns.name)) {
        all.push_back(ns.oid);
        cat.managed.push_back(std::move(ns));
      }
    }
  }
  const std::optional<std::string> app_p = oid_array(app), all_p = oid_array(all);
  const pg::PgVersion v = cat.version;

  // Every remaining query in one round trip. First, as pg_dump does, ACCESS SHARE on the
  // application's tables, so that none is dropped or altered while the server deparses it
  // (the deparsers read the current catalogs, not the snapshot); held until the caller's
  // transaction ends. The schema oids are numbers we format ourselves.
  QueryBatch batch(conn);
  std::string app_list;
  for (Oid o : app) app_list += (app_list.empty() ? "" : ",") + std::to_string(o);
  if (!app_list.empty())
    batch.add(
        "DO $crm_lock$ DECLARE r record; BEGIN FOR r IN SELECT c.oid::pg_catalog.regclass::pg_catalog.text AS t "
        "FROM pg_catalog.pg_class c WHERE c.relnamespace IN (" + app_list + ") AND c.relkind IN ('r','p') "
        "ORDER BY c.oid LOOP EXECUTE 'LOCK TABLE ONLY ' || r.t || ' IN ACCESS SHARE MODE'; END LOOP; END $crm_lock$");
  size_t q_extmembers = batch.add(kExtensionMembersQuery);
  size_t q_extensions = batch.add(
      "SELECT e.oid, e.extname, n.nspname FROM pg_catalog.pg_extension e "
      "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.oid");
  size_t q_types = batch.add(kTypesQuery, {app_p});
  size_t q_relations = batch.add(kRelationsQuery, {all_p});
  size_t q_columns = batch.add(columns_query(v), {app_p});
  size_t q_constraints = batch.add(constraints_query(v), {app_p});
  size_t q_indexes = batch.add(kIndexesQuery, {app_p});
  size_t q_functions = batch.add(kFunctionsQuery, {app_p});
  size_t q_triggers = batch.add(kTriggersQuery, {all_p});
  size_t q_policies = batch.add(kPoliciesQuery, {all_p});
  size_t q_rules = batch.add(kRulesQuery, {app_p});
  size_t q_defacl = batch.add(kDefaultAclQuery);
  size_t q_pubs = batch.add(kPublicationsQuery);
  size_t q_pubrels = batch.add(publication_rels_query(v));
  size_t q_pubns = v.at_least(15) ? batch.add(
      "SELECT pn.pnpubid, n.nspname FROM pg_catalog.pg_publication_namespace pn "
      "JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid ORDER BY n.nspname COLLATE \"C\"") : 0;
  size_t q_collations = batch.add(collations_query(v), {app_p});
  size_t q_statistics = batch.add(kStatisticsQuery, {app_p});
  size_t q_ts_dicts = batch.add(kTsDictionariesQuery, {app_p});
  size_t q_ts_configs = batch.add(kTsConfigurationsQuery, {app_p});
  size_t q_evtrig = batch.add(kEventTriggersQuery);
  size_t q_unsupported = batch.add(kUnsupportedQuery, {app_p});
  size_t q_comments = batch.add(kCommentsQuery);
  size_t q_depend = batch.add(kDependQuery);
  size_t q_acl = batch.add(kAclQuery, {app_p});
  std::vector<pg::Result> R = batch.run();

  {
    auto& r = R[q_extmembers];
    for (int i = 0; i < r.rows(); ++i)
      cat.extension_members[{oid_at(r, i, "classid"), oid_at(r, i, "objid")}] = oid_at(r, i, "refobjid");
  }
  auto is_member = [&](Oid cls, Oid oid) { return cat.extension_members.count({cls, oid}) > 0; };

  {
    auto& r = R[q_extensions];
    for (int i = 0; i < r.rows(); ++i)
      cat.extensions.push_back({oid_at(r, i, "oid"), str_at(r, i, "extname"), str_at(r, i, "nspname")});
  }
  {
    auto& r = R[q_types];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgType, oid_at(r, i, "oid"))) continue;
      Type t{};
      t.oid = oid_at(r, i, "oid");
      t.array_oid = oid_at(r, i, "typarray");
      t.schema = str_at(r, i, "nspname");
      t.name = str_at(r, i, "typname");
      t.owner = str_at(r, i, "owner");
      t.kind = char_at(r, i, "typtype");
      t.has_acl = r.get_bool(i, "has_acl");
      t.composite_relid = oid_at(r, i, "typrelid");
      t.enum_labels = str_at(r, i, "enum_labels");
      t.composite_attrs = str_at(r, i, "composite_attrs");
      t.domain_base = str_at(r, i, "domain_base");
      t.domain_collation = str_at(r, i, "domain_collation");
      t.domain_default = r.get_opt(i, "domain_default");
      t.domain_not_null = r.get_bool(i, "typnotnull");
      t.domain_not_null_name = str_at(r, i, "not_null_name");
      t.range_subtype = str_at(r, i, "range_subtype");
      t.range_opclass = str_at(r, i, "range_opclass");
      t.range_collation = str_at(r, i, "range_collation");
      t.range_canonical = str_at(r, i, "range_canonical");
      t.range_subdiff = str_at(r, i, "range_subdiff");
      t.range_multirange = str_at(r, i, "range_multirange");
      cat.types.push_back(std::move(t));
    }
  }
  std::map<Oid, size_t> rel_index;
  {
    auto& r = R[q_relations];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgClass, oid_at(r, i, "oid"))) continue;
      Relation rel{};
      rel.oid = oid_at(r, i, "oid");
      rel.reltype = oid_at(r, i, "reltype");
      rel.schema = str_at(r, i, "nspname");
      rel.name = str_at(r, i, "relname");
      rel.owner = str_at(r, i, "owner");
      rel.kind = char_at(r, i, "relkind");
      rel.persistence = char_at(r, i, "relpersistence");
      rel.replident = char_at(r, i, "relreplident");
      rel.has_acl = r.get_bool(i, "has_acl");
      rel.rls = r.get_bool(i, "relrowsecurity");
      rel.force_rls = r.get_bool(i, "relforcerowsecurity");
      rel.is_partition = r.get_bool(i, "relispartition");
      rel.reloptions = split_unit(r.get(i, "reloptions"));
      rel.toast_reloptions = split_unit(r.get(i, "toast_reloptions"));
      rel.access_method = str_at(r, i, "access_method");
      rel.partbound = r.get_opt(i, "partbound");
      rel.partkey = r.get_opt(i, "partkey");
      rel.viewdef = r.get_opt(i, "viewdef");
      std::string parents = str_at(r, i, "parents");
      for (size_t p = 0; p < parents.size();) {
        size_t e = parents.find(',', p);
        if (e == std::string::npos) e = parents.size();
        rel.parents.push_back(static_cast<Oid>(std::stoul(parents.substr(p, e - p))));
        p = e + 1;
      }
      rel.rewrite_oid = oid_at(r, i, "rewrite_oid");
      if (rel.kind == 'S') {
        Sequence s{};
        s.type = str_at(r, i, "seq_type");
        s.start = str_at(r, i, "seqstart");
        s.increment = str_at(r, i, "seqincrement");
        s.min = str_at(r, i, "seqmin");
        s.max = str_at(r, i, "seqmax");
        s.cache = str_at(r, i, "seqcache");
        s.cycle = r.get_bool(i, "seqcycle");
        s.owner_table = oid_at(r, i, "seq_owner");
        s.owner_attnum = static_cast<int>(r.get_int(i, "seq_owner_col"));
        s.owner_deptype = char_at(r, i, "seq_deptype");
        rel.sequence = s;
      }
      rel_index[rel.oid] = cat.relations.size();
      cat.relations.push_back(std::move(rel));
    }
  }
  {
    auto& r = R[q_columns];
    for (int i = 0; i < r.rows(); ++i) {
      auto it = rel_index.find(oid_at(r, i, "attrelid"));
      if (it == rel_index.end()) continue;
      Column c{};
      c.attnum = static_cast<int>(r.get_int(i, "attnum"));
      c.name = str_at(r, i, "attname");
      c.type = str_at(r, i, "typ");
      c.collation = str_at(r, i, "coll");
      c.not_null = r.get_bool(i, "attnotnull");
      if (auto nn = r.get_opt(i, "nn_oid")) {
        c.not_null_oid = static_cast<Oid>(std::stoul(*nn));
        c.not_null_name = str_at(r, i, "nn_name");
        c.not_null_no_inherit = r.get_bool(i, "nn_noinherit");
        // A NOT VALID one is added after the data, from the constraints list.
        if (!r.get_bool(i, "nn_validated")) c.not_null = false;
      }
      c.is_local = r.get_bool(i, "attislocal");
      c.inh_count = static_cast<int>(r.get_int(i, "attinhcount"));
      c.identity = char_at(r, i, "attidentity");
      c.generated = char_at(r, i, "attgenerated");
      c.default_expr = r.get_opt(i, "defexpr");
      c.attrdef_oid = oid_at(r, i, "attrdef_oid");
      c.stat_target = static_cast<int>(r.get_int(i, "stat"));
      c.storage = char_at(r, i, "attstorage");
      c.type_storage = char_at(r, i, "typstorage");
      c.options = split_unit(r.get(i, "opts"));
      c.compression = char_at(r, i, "attcompression");
      c.has_acl = r.get_bool(i, "has_acl");
      cat.relations[it->second].columns.push_back(std::move(c));
    }
  }
  {
    auto& r = R[q_constraints];
    for (int i = 0; i < r.rows(); ++i) {
      Constraint c{};
      c.oid = oid_at(r, i, "oid");
      if (is_member(kPgConstraint, c.oid)) continue;
      c.name = str_at(r, i, "conname");
      c.schema = str_at(r, i, "nspname");
      c.type = char_at(r, i, "contype");
      c.relid = oid_at(r, i, "conrelid");
      c.typid = oid_at(r, i, "contypid");
      c.parentid = oid_at(r, i, "conparentid");
      c.indexid = oid_at(r, i, "conindid");
      c.is_local = r.get_bool(i, "conislocal");
      c.validated = r.get_bool(i, "convalidated");
      c.def = str_at(r, i, "def");
      cat.constraints.push_back(std::move(c));
    }
  }
  {
    auto& r = R[q_indexes];
    for (int i = 0; i < r.rows(); ++i) {
      Index x{};
      x.oid = oid_at(r, i, "indexrelid");
      if (is_member(kPgClass, x.oid)) continue;
      x.relid = oid_at(r, i, "indrelid");
      x.schema = str_at(r, i, "nspname");
      x.name = str_at(r, i, "relname");
      x.def = str_at(r, i, "def");
      x.clustered = r.get_bool(i, "indisclustered");
      x.replident = r.get_bool(i, "indisreplident");
      x.is_partition_child = r.get_bool(i, "is_child");
      x.constraint_oid = oid_at(r, i, "con");
      cat.indexes.push_back(std::move(x));
    }
  }
  {
    auto& r = R[q_functions];
    for (int i = 0; i < r.rows(); ++i) {
      Function f{};
      f.oid = oid_at(r, i, "oid");
      if (is_member(kPgProc, f.oid)) continue;
      f.schema = str_at(r, i, "nspname");
      f.name = str_at(r, i, "proname");
      f.owner = str_at(r, i, "owner");
      f.kind = char_at(r, i, "prokind");
      f.has_acl = r.get_bool(i, "has_acl");
      f.identity_args = str_at(r, i, "idargs");
      f.arguments = str_at(r, i, "args");
      f.def = str_at(r, i, "def");
      f.agg_sql_body = str_at(r, i, "aggbody");
      cat.functions.push_back(std::move(f));
    }
  }
  {
    auto& r = R[q_triggers];
    for (int i = 0; i < r.rows(); ++i) {
      Trigger t{};
      t.oid = oid_at(r, i, "oid");
      if (is_member(kPgTrigger, t.oid)) continue;
      t.relid = oid_at(r, i, "tgrelid");
      t.name = str_at(r, i, "tgname");
      t.def = str_at(r, i, "def");
      t.enabled = char_at(r, i, "tgenabled");
      t.function_schema = str_at(r, i, "fn_schema");
      t.function_owner = str_at(r, i, "fn_owner");
      t.function_oid = oid_at(r, i, "fn_oid");
      t.function_signature = str_at(r, i, "fn_sig");
      t.function_def = str_at(r, i, "fn_def");
      t.is_constraint = r.get_bool(i, "is_constraint");
      cat.triggers.push_back(std::move(t));
    }
  }
  {
    auto& r = R[q_policies];
    for (int i = 0; i < r.rows(); ++i) {
      Policy p{};
      p.oid = oid_at(r, i, "oid");
      p.relid = oid_at(r, i, "polrelid");
      p.name = str_at(r, i, "polname");
      p.cmd = str_at(r, i, "polcmd");
      p.permissive = r.get_bool(i, "polpermissive");
      p.roles = str_at(r, i, "roles");
      p.qual = r.get_opt(i, "qual");
      p.with_check = r.get_opt(i, "wcheck");
      cat.policies.push_back(std::move(p));
    }
  }
  {
    auto& r = R[q_rules];
    for (int i = 0; i < r.rows(); ++i) {
      Rule x{};
      x.oid = oid_at(r, i, "oid");
      if (is_member(kPgRewrite, x.oid)) continue;
      x.relid = oid_at(r, i, "ev_class");
      x.name = str_at(r, i, "rulename");
      x.def = str_at(r, i, "def");
      x.enabled = char_at(r, i, "ev_enabled");
      cat.rules.push_back(std::move(x));
    }
  }
  {
    auto& r = R[q_defacl];
    for (int i = 0; i < r.rows(); ++i) {
      Oid oid = oid_at(r, i, "oid");
      if (cat.default_acls.empty() || cat.default_acls.back().oid != oid) {
        cat.default_acls.push_back({oid, str_at(r, i, "role"), str_at(r, i, "nsp"), char_at(r, i, "defaclobjtype"), {}});
      }
      if (!r.is_null(i, r.column("ord"))) cat.default_acls.back().acl.push_back(acl_entry(r, i));
    }
  }
  {
    auto& r = R[q_pubs];
    std::map<Oid, size_t> idx;
    for (int i = 0; i < r.rows(); ++i) {
      Publication p{};
      p.oid = oid_at(r, i, "oid");
      p.name = str_at(r, i, "pubname");
      p.owner = str_at(r, i, "owner");
      p.all_tables = r.get_bool(i, "puballtables");
      p.insert = r.get_bool(i, "pubinsert");
      p.update = r.get_bool(i, "pubupdate");
      p.del = r.get_bool(i, "pubdelete");
      p.truncate = r.get_bool(i, "pubtruncate");
      p.via_root = r.get_bool(i, "pubviaroot");
      idx[p.oid] = cat.publications.size();
      cat.publications.push_back(std::move(p));
    }
    if (!cat.publications.empty()) {
      auto& rr = R[q_pubrels];
      for (int i = 0; i < rr.rows(); ++i) {
        auto it = idx.find(oid_at(rr, i, "prpubid"));
        if (it == idx.end()) continue;
        cat.publications[it->second].tables.push_back(
            {oid_at(rr, i, "prrelid"), rr.get_opt(i, "qual"), rr.get_opt(i, "cols")});
      }
      if (v.at_least(15)) {
        auto& rn = R[q_pubns];
        for (int i = 0; i < rn.rows(); ++i) {
          auto it = idx.find(oid_at(rn, i, "pnpubid"));
          if (it != idx.end()) cat.publications[it->second].schemas.push_back(str_at(rn, i, "nspname"));
        }
      }
    }
  }
  {
    auto& r = R[q_collations];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgCollation, oid_at(r, i, "oid"))) continue;
      cat.collations.push_back({oid_at(r, i, "oid"), str_at(r, i, "nspname"), str_at(r, i, "collname"),
                                str_at(r, i, "owner"), str_at(r, i, "options")});
    }
  }
  {
    auto& r = R[q_statistics];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgStatisticExt, oid_at(r, i, "oid"))) continue;
      cat.statistics.push_back({oid_at(r, i, "oid"), oid_at(r, i, "stxrelid"), str_at(r, i, "nspname"),
                                str_at(r, i, "stxname"), str_at(r, i, "owner"), str_at(r, i, "def"),
                                static_cast<int>(r.get_int(i, "target"))});
    }
  }
  {
    auto& r = R[q_ts_dicts];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgTsDict, oid_at(r, i, "oid"))) continue;
      cat.ts_dictionaries.push_back({oid_at(r, i, "oid"), str_at(r, i, "nspname"), str_at(r, i, "dictname"),
                                     str_at(r, i, "owner"), str_at(r, i, "tmpl_schema"), str_at(r, i, "tmplname"),
                                     str_at(r, i, "dictinitoption")});
    }
  }
  {
    auto& r = R[q_ts_configs];
    for (int i = 0; i < r.rows(); ++i) {
      Oid oid = oid_at(r, i, "oid");
      if (is_member(kPgTsConfig, oid)) continue;
      if (cat.ts_configurations.empty() || cat.ts_configurations.back().oid != oid)
        cat.ts_configurations.push_back({oid, str_at(r, i, "nspname"), str_at(r, i, "cfgname"), str_at(r, i, "owner"),
                                         str_at(r, i, "prs_schema"), str_at(r, i, "prsname"), {}});
      if (r.is_null(i, r.column("token"))) continue;  // a configuration without mappings
      TsMapping m{str_at(r, i, "token"), split_unit(r.get(i, "dicts"))};
      cat.ts_configurations.back().mappings.push_back(std::move(m));
    }
  }
  {
    auto& r = R[q_evtrig];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgEventTrigger, oid_at(r, i, "oid"))) continue;
      cat.event_triggers.push_back({oid_at(r, i, "oid"), str_at(r, i, "evtname"), str_at(r, i, "def"),
                                    char_at(r, i, "evtenabled")});
    }
  }
  {
    auto& r = R[q_unsupported];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(oid_at(r, i, "cls"), oid_at(r, i, "oid"))) continue;
      std::string schema;
      for (const auto& n : cat.namespaces)
        if (n.oid == oid_at(r, i, "nsp")) schema = n.name;
      cat.unsupported.push_back({str_at(r, i, "kind"), schema, str_at(r, i, "name")});
    }
  }
  {
    auto& r = R[q_comments];
    for (int i = 0; i < r.rows(); ++i)
      cat.comments.push_back({{oid_at(r, i, "classoid"), oid_at(r, i, "objoid")},
                              static_cast<int>(r.get_int(i, "objsubid")), str_at(r, i, "description")});
  }
  {
    auto& r = R[q_depend];
    for (int i = 0; i < r.rows(); ++i)
      cat.dependencies.push_back({{oid_at(r, i, "classid"), oid_at(r, i, "objid")},
                                  {oid_at(r, i, "refclassid"), oid_at(r, i, "refobjid")},
                                  char_at(r, i, "deptype")});
  }
  {
    auto& r = R[q_acl];
    for (int i = 0; i < r.rows(); ++i) {
      auto key = std::make_tuple(oid_at(r, i, "cls"), oid_at(r, i, "oid"), static_cast<int>(r.get_int(i, "sub")));
      auto& acl = cat.acls[key];
      if (!r.is_null(i, r.column("ord"))) acl.push_back(acl_entry(r, i));
    }
  }
  return cat;
}

}  // namespace crm::engine::catalog
