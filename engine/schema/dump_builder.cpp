#include "engine/schema/dump_builder.hpp"

#include "pgwire/quote.hpp"

namespace crm::engine::schema {

using namespace crm::engine::catalog;
using pg::quote_ident;
using pg::quote_literal;
using pg::quote_qualified;

std::string strip_semicolon(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (!s.empty() && s.back() == ';') s.pop_back();
  return s;
}

std::string grantee_sql(const std::string& g) { return g.empty() ? "PUBLIC" : quote_ident(g); }

// Consecutive privileges of one grantee share a statement. A grantor other than the owner is
// reproduced as pg_dump does it.
std::string grants(const Acl& acl, const std::string& on, const std::string& owner, const std::string& column) {
  std::string out;
  for (size_t i = 0; i < acl.size();) {
    size_t j = i;
    std::string privs;
    while (j < acl.size() && acl[j].grantor == acl[i].grantor && acl[j].grantee == acl[i].grantee &&
           acl[j].grantable == acl[i].grantable) {
      if (!privs.empty()) privs += ",";
      privs += acl[j].privilege + (column.empty() ? "" : "(" + quote_ident(column) + ")");
      ++j;
    }
    std::string g = "GRANT " + privs + " ON " + on + " TO " + grantee_sql(acl[i].grantee) +
                    (acl[i].grantable ? " WITH GRANT OPTION" : "") + ";\n";
    if (acl[i].grantor != owner && !acl[i].grantor.empty())
      g = "SET SESSION AUTHORIZATION " + quote_ident(acl[i].grantor) + ";\n" + g + "RESET SESSION AUTHORIZATION;\n";
    out += g;
    i = j;
  }
  return out;
}

DumpBuilder::DumpBuilder(const Catalog& cat, const SchemaOptions& opts) : cat_(cat), opts_(opts) {
  for (size_t i = 0; i < cat_.relations.size(); ++i) rel_[cat_.relations[i].oid] = &cat_.relations[i];
  for (const auto& n : cat_.namespaces) app_schemas_.insert(n.name);
  for (const auto& c : cat_.comments) comments_[c.obj].emplace_back(c.subid, c.text);
}

size_t DumpBuilder::add(DumpObject o, std::initializer_list<ObjRef> refs) {
  size_t id = objects_.size();
  for (auto r : refs) owner_.emplace(r, id);
  objects_.push_back(std::move(o));
  return id;
}

const Relation* DumpBuilder::relation(Oid oid) const {
  auto it = rel_.find(oid);
  return it == rel_.end() ? nullptr : it->second;
}

std::string DumpBuilder::qname(const Relation& r) const { return quote_qualified(r.schema, r.name); }

std::string DumpBuilder::alter_table(const Relation& r) const {
  return std::string("ALTER TABLE ") + (r.kind == 'p' ? "" : "ONLY ") + qname(r);
}

std::string DumpBuilder::comments_for(ObjRef obj, const std::string& target, const std::string& column_prefix) const {
  auto it = comments_.find(obj);
  if (it == comments_.end()) return {};
  std::string out;
  for (const auto& [sub, text] : it->second) {
    if (sub == 0) {
      if (target.empty()) continue;
      out += "COMMENT ON " + target + " IS " + quote_literal(text) + ";\n";
    } else if (!column_prefix.empty()) {
      auto col = column_name(obj.objid, sub);
      if (col.empty()) continue;
      out += "COMMENT ON COLUMN " + column_prefix + "." + quote_ident(col) + " IS " + quote_literal(text) + ";\n";
    }
  }
  return out;
}

std::string DumpBuilder::column_name(Oid relid, int attnum) const {
  auto it = rel_.find(relid);
  if (it == rel_.end()) return {};
  for (const auto& c : it->second->columns)
    if (c.attnum == attnum) return c.name;
  return {};
}

// Default privileges apply to the role that creates an object, and on the target that is
// the restoring role, not the owner: any entry for the kind and schema may have changed the
// ACL at CREATE time, before ALTER ... OWNER TO handed it over.
bool DumpBuilder::default_acl_applies(char objtype, const std::string& schema) const {
  for (const auto& d : cat_.default_acls)
    if (d.objtype == objtype && (d.schema.empty() || d.schema == schema)) return true;
  return false;
}

std::set<std::string> DumpBuilder::default_acl_grantees(char objtype, const std::string& schema) const {
  std::set<std::string> out;
  for (const auto& d : cat_.default_acls)
    if (d.objtype == objtype && (d.schema.empty() || d.schema == schema))
      for (const auto& e : d.acl) out.insert(e.grantee);
  return out;
}

// Revokes everything first so that the resulting ACL has the source's entries in the
// source's order.
void DumpBuilder::add_acl(Oid cls, Oid oid, bool has_acl, char defacl_type, const std::string& on,
                          const std::string& owner, const std::string& schema, const std::string& name,
                          const std::string& detail) {
  std::string out;
  if (has_acl || default_acl_applies(defacl_type, schema)) {
    auto it = cat_.acls.find({cls, oid, 0});
    Acl acl = it == cat_.acls.end() ? Acl{} : it->second;
    std::set<std::string> revoke = default_acl_grantees(defacl_type, schema);
    for (const auto& e : acl) revoke.insert(e.grantee);
    revoke.erase("");
    revoke.erase(owner);
    out += "REVOKE ALL ON " + on + " FROM PUBLIC;\n";
    out += "REVOKE ALL ON " + on + " FROM " + quote_ident(owner) + ";\n";
    for (const auto& r : revoke) out += "REVOKE ALL ON " + on + " FROM " + quote_ident(r) + ";\n";
    out += grants(acl, on, owner);
  }
  auto rel = rel_.find(oid);
  if (cls == kPgClass && rel != rel_.end()) {
    for (const auto& c : rel->second->columns) {
      if (!c.has_acl) continue;
      auto it = cat_.acls.find({cls, oid, c.attnum});
      if (it != cat_.acls.end()) out += grants(it->second, on, owner, c.name);
    }
  }
  if (out.empty()) return;
  objects_.push_back({{kRankAcl, schema, name, detail}, kPost, "ACL", schema, name, owner, out});
}

}  // namespace crm::engine::schema
