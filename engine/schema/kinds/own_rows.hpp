#pragma once
// The rows of a kind's catalog query that stand for the application's own objects: a member
// of an extension is never written (CREATE EXTENSION re-creates it).
#include "engine/catalog/catalog.hpp"
#include "pgwire/result.hpp"

namespace crm::engine::schema::kinds {

// Calls fn(row, oid) for each row of `rows`, in order, whose "oid" (an object of the catalog
// `classid`, e.g. kPgCollation) is not an extension's member.
template <class Fn>
void for_each_own_row(const pg::Result& rows, const catalog::Catalog& cat, catalog::Oid classid, Fn&& fn) {
  for (int i = 0; i < rows.rows(); ++i) {
    auto oid = static_cast<catalog::Oid>(rows.get_int(i, "oid"));
    if (!cat.is_extension_member({classid, oid})) fn(i, oid);
  }
}

}  // namespace crm::engine::schema::kinds
