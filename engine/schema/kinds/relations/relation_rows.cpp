#include "engine/schema/kinds/relations/relation_rows.hpp"

#include <map>
#include <string>

#include "engine/catalog/row_fields.hpp"

namespace crm::engine::schema::kinds::relation {
namespace {

using namespace crm::engine::catalog;

std::vector<Oid> parse_oid_list(const std::string& list) {
  std::vector<Oid> out;
  for (size_t p = 0; p < list.size();) {
    size_t e = list.find(',', p);
    if (e == std::string::npos) e = list.size();
    out.push_back(static_cast<Oid>(std::stoul(list.substr(p, e - p))));
    p = e + 1;
  }
  return out;
}

Sequence parse_sequence(const pg::Result& r, int i) {
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
  return s;
}

Relation parse_relation(const pg::Result& r, int i) {
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
  rel.parents = parse_oid_list(str_at(r, i, "parents"));
  rel.rewrite_oid = oid_at(r, i, "rewrite_oid");
  if (rel.kind == 'S') rel.sequence = parse_sequence(r, i);
  return rel;
}

Column parse_column(const pg::Result& r, int i) {
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
    c.not_null_is_local = r.get_bool(i, "nn_islocal");
    c.not_null_valid = r.get_bool(i, "nn_validated");
    // A NOT VALID one is added after the data, from the constraints list.
    if (!c.not_null_valid) c.not_null = false;
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
  return c;
}

}  // namespace

void load_relations(const std::vector<pg::Result>& rows, Catalog& cat) {
  std::map<Oid, size_t> rel_index;
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    if (cat.is_extension_member({kPgClass, oid_at(r, i, "oid")})) continue;
    rel_index[oid_at(r, i, "oid")] = cat.relations.size();
    cat.relations.push_back(parse_relation(r, i));
  }
  const pg::Result& cols = rows[1];
  for (int i = 0; i < cols.rows(); ++i) {
    auto it = rel_index.find(oid_at(cols, i, "attrelid"));
    if (it != rel_index.end()) cat.relations[it->second].columns.push_back(parse_column(cols, i));
  }
}

}  // namespace crm::engine::schema::kinds::relation
