#include "engine/schema/schema_sql.hpp"

#include "engine/format/dump_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/catalog/catalog.hpp"
#include "engine/catalog/read_scope.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/registry.hpp"
#include "engine/schema/role_filter.hpp"
#include "engine/schema/toposort.hpp"
#include "engine/format/sql_comment.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema {
namespace {

using namespace crm::engine::catalog;
using pg::quote_ident;
using pg::quote_literal;
using pg::quote_qualified;

class SchemaWriter : public DumpBuilder {
 public:
  SchemaWriter(const Catalog& cat, const SchemaOptions& opts) : DumpBuilder(cat, opts) {}

  SchemaDumpResult write(Sink& sink) {
    build();
    return emit(sink);
  }

 private:
  // Every kind adds its objects (the order here is no part of the output: ranks and
  // dependencies order schema.sql).
  void build() {
    for (const auto& kind : kinds::registry()) {
      if (!kind.write) continue;
      auto rows = cat_.kind_rows.find(kind.name);
      if (rows == cat_.kind_rows.end()) throw std::logic_error("the catalog has no rows for the kind " + std::string(kind.name));
      kind.write(rows->second, *this);
    }
  }

  // ---- ordering and output ---------------------------------------------------------------
  SchemaDumpResult emit(Sink& sink) {
    for (auto& [ref, table] : pending_maps_) {
      auto it = owner_.find({kPgClass, table});
      if (it != owner_.end()) owner_.emplace(ref, it->second);
    }
    // Objects of extensions stand for their extension.
    auto resolve = [&](ObjRef r) -> std::optional<size_t> {
      auto it = owner_.find(r);
      if (it != owner_.end()) return it->second;
      auto m = cat_.extension_members.find(r);
      if (m != cat_.extension_members.end()) {
        auto e = owner_.find({kPgExtension, m->second});
        if (e != owner_.end()) return e->second;
      }
      return std::nullopt;
    };
    std::vector<std::pair<size_t, size_t>> edges;
    std::map<Oid, bool> seq_kind;
    for (const auto& r : cat_.relations) seq_kind[r.oid] = r.kind == 'S';
    for (const auto& d : cat_.dependencies) {
      // A sequence OWNED BY a column depends on the table only for DROP; it must come first.
      if (d.deptype == 'a' && d.obj.classid == kPgClass && d.ref.classid == kPgClass && seq_kind[d.obj.objid]) continue;
      auto a = resolve(d.obj), b = resolve(d.ref);
      if (!a || !b || *a == *b) continue;
      edges.push_back({*b, *a});
    }
    for (auto& [ref, obj] : extra_edges_) {
      auto b = resolve(ref);
      if (b && *b != obj) edges.push_back({*b, obj});
    }
    // Children copy their parents' defaults when they are created: after those defaults.
    for (const auto& r : cat_.relations) {
      auto child = owner_.find({kPgClass, r.oid});
      if (child == owner_.end()) continue;
      for (Oid p : r.parents) {
        auto d = separate_defaults_.find(p);
        if (d == separate_defaults_.end()) continue;
        for (size_t id : d->second) edges.push_back({id, child->second});
      }
    }
    // A pre-data object that needs a post-data one (a view whose GROUP BY relies on a
    // primary key) moves to post-data, with everything pre-data that needs it in turn.
    for (bool moved = true; moved;) {
      moved = false;
      for (auto [b, a] : edges) {
        if (objects_[b].section == kPost && objects_[a].section == kPre) {
          objects_[a].section = kPost;
          moved = true;
        }
      }
    }

    SchemaDumpResult result;
    for (const auto& u : cat_.unsupported)
      result.warnings.push_back("not written to schema.sql (kind not supported): " + u.kind + " " +
                                (u.schema.empty() ? "" : u.schema + ".") + u.name);
    std::string header = "--\n-- PostgreSQL database dump (crmbackup-native)\n--\n\n";
    header += pg_dump_session_settings();
    header += "SET default_table_access_method = \"heap\";\n\n";
    std::string out;

    for (int section : {kPre, kPost, kManaged}) {
      std::vector<size_t> ids;
      for (size_t i = 0; i < objects_.size(); ++i)
        if (objects_[i].section == section) ids.push_back(i);
      if (section == kPost) {
        result.post_data_offset = out.size();
        out += std::string(kPostDataMarker) + "\n\n";
      }
      if (section == kManaged) {
        if (!opts_.managed_schema_objects) break;
        result.managed_schema_offset = out.size();
        out += std::string(kManagedSchemaMarker) + "\n"
               "-- The application's own objects inside platform-managed schemas (auth, storage): triggers on\n"
               "-- their tables that call functions outside the platform schemas or not owned by a supabase_*\n"
               "-- role (with such functions), and policies on their tables (the platform creates none).\n"
               "-- pg_dump-based backups leave these out.\n\n";
      }
      std::map<size_t, size_t> local;
      std::vector<SortKey> keys;
      for (size_t k = 0; k < ids.size(); ++k) {
        local[ids[k]] = k;
        keys.push_back(objects_[ids[k]].key);
      }
      std::vector<std::pair<size_t, size_t>> sec_edges;
      for (auto [b, a] : edges)
        if (objects_[a].section == section && objects_[b].section == section) sec_edges.push_back({local[b], local[a]});
      auto sorted = topo_sort(keys, sec_edges);
      for (size_t k : sorted.cycle_breaks) {
        const auto& o = objects_[ids[k]];
        result.warnings.push_back(fmt::format("dependency cycle broken at {} {}.{}", o.type_label, o.schema, o.name));
      }
      for (size_t k : sorted.order) {
        const auto& o = objects_[ids[k]];
        out += "--\n-- Name: " + comment_safe(o.name) + "; Type: " + o.type_label + "; Schema: " +
               (o.schema.empty() ? "-" : comment_safe(o.schema)) + "; Owner: " + (o.owner.empty() ? "-" : comment_safe(o.owner)) +
               "\n--\n\n" + (o.active ? o.sql : comment_out(o.sql)) + "\n";
        if (section == kPre) ++result.pre_data_objects;
        else if (section == kPost) ++result.post_data_objects;
        else ++result.managed_schema_objects;
      }
    }
    out += "--\n-- PostgreSQL database dump complete\n--\n\n";
    // Warnings (kinds not written, dependency cycles) go at the top, where a reader looks.
    for (const auto& w : result.warnings) header += "-- WARNING: " + comment_safe(w) + "\n";
    if (!result.warnings.empty()) header += "\n";
    if (result.post_data_offset != std::string::npos) result.post_data_offset += header.size();
    if (result.managed_schema_offset != std::string::npos) result.managed_schema_offset += header.size();
    sink.write(header);
    sink.write(out);
    for (const auto& s : app_schemas_) result.schemas.push_back(s);
    return result;
  }

};

}  // namespace

SchemaDumpResult write_schema_sql(pg::Connection& conn, Sink& out, const SchemaOptions& opts) {
  catalog::CatalogReadScope scope(conn);
  auto cat = catalog::load_catalog(conn);
  SchemaWriter w(cat, opts);
  return w.write(out);
}

}  // namespace crm::engine::schema
