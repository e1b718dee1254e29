// What every kind reads about every other object, loaded into the shared catalog model: the
// comments (DumpBuilder::comments_for), the pg_depend edges that order schema.sql, and the ACLs
// (DumpBuilder::add_acl). Nothing of its own is written or dropped.
#include <tuple>

#include "engine/catalog/row_fields.hpp"
#include "engine/schema/kinds/kind.hpp"

namespace crm::engine::schema::kinds {
namespace {

using namespace crm::engine::catalog;

void load_comments(const pg::Result& r, Catalog& cat) {
  for (int i = 0; i < r.rows(); ++i)
    cat.comments.push_back({{oid_at(r, i, "classoid"), oid_at(r, i, "objoid")},
                            static_cast<int>(r.get_int(i, "objsubid")), str_at(r, i, "description")});
}

void load_dependencies(const pg::Result& r, Catalog& cat) {
  for (int i = 0; i < r.rows(); ++i)
    cat.dependencies.push_back({{oid_at(r, i, "classid"), oid_at(r, i, "objid")},
                                {oid_at(r, i, "refclassid"), oid_at(r, i, "refobjid")},
                                char_at(r, i, "deptype")});
}

// One row per privilege; an ACL that grants nothing (revoked from everyone) is one row with a
// NULL "ord": an entry with no privileges, not a missing one.
void load_acls(const pg::Result& r, Catalog& cat) {
  for (int i = 0; i < r.rows(); ++i) {
    auto key = std::make_tuple(oid_at(r, i, "cls"), oid_at(r, i, "oid"), static_cast<int>(r.get_int(i, "sub")));
    auto& acl = cat.acls[key];
    if (!r.is_null(i, r.column("ord"))) acl.push_back(acl_entry(r, i));
  }
}

void load(const std::vector<pg::Result>& rows, Catalog& cat) {
  load_comments(rows[0], cat);
  load_dependencies(rows[1], cat);
  load_acls(rows[2], cat);
}

}  // namespace

Kind shared() {
  return {"shared",
          {{"comments", Param::kNone}, {"dependencies", Param::kNone}, {"acls", Param::kAppSchemas}},
          nullptr,
          std::nullopt,
          load};
}

}  // namespace crm::engine::schema::kinds
