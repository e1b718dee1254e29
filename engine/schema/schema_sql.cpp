#include "engine/schema/schema_sql.hpp"

#include "engine/format/dump_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/catalog/catalog.hpp"
#include "engine/catalog/read_scope.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/functions.hpp"
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

bool plain_option_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// "name=value" as stored in reloptions/attoptions -> name='value'.
std::string format_options(const std::vector<std::string>& opts, std::string_view prefix = "",
                           std::string_view skip = "") {
  std::string out;
  for (const auto& o : opts) {
    auto eq = o.find('=');
    std::string name = o.substr(0, eq), value = eq == std::string::npos ? "" : o.substr(eq + 1);
    if (!skip.empty() && name == skip) continue;
    if (!out.empty()) out += ", ";
    out += std::string(prefix) + (plain_option_name(name) ? name : quote_ident(name));
    if (eq != std::string::npos) out += "=" + quote_literal(value);
  }
  return out;
}

class SchemaWriter : public DumpBuilder {
 public:
  SchemaWriter(const Catalog& cat, const SchemaOptions& opts) : DumpBuilder(cat, opts) {
    std::set<Oid> functions = kinds::dumped_functions(cat_);
    for (const auto& d : cat_.dependencies)
      if (d.obj.classid == kPgAttrdef && d.ref.classid == kPgProc && functions.count(d.ref.objid))
        defaults_calling_functions_.insert(d.obj.objid);
  }

  SchemaDumpResult write(Sink& sink) {
    build();
    return emit(sink);
  }

 private:
  const Column* parent_column(const Relation& r, const std::string& name) const {
    for (Oid p : r.parents) {
      auto it = rel_.find(p);
      if (it == rel_.end()) continue;
      for (const auto& c : it->second->columns)
        if (c.name == name) return &c;
    }
    return nullptr;
  }

  // ---- builders --------------------------------------------------------------------------
  void build() {
    build_relations();
    build_constraints();
    build_indexes();
    for (const auto& kind : kinds::registry()) {
      if (!kind.write) continue;
      auto rows = cat_.kind_rows.find(kind.name);
      if (rows == cat_.kind_rows.end()) throw std::logic_error("the catalog has no rows for the kind " + std::string(kind.name));
      kind.write(rows->second, *this);
    }
  }

  std::string sequence_options(const Sequence& s, bool with_type, const std::string& indent) const {
    std::string o;
    if (with_type) o += indent + "AS " + s.type;
    o += indent + "START WITH " + s.start + indent + "INCREMENT BY " + s.increment + indent + "MINVALUE " + s.min +
         indent + "MAXVALUE " + s.max + indent + "CACHE " + s.cache;
    if (s.cycle) o += indent + "CYCLE";
    return o;
  }

  void build_relations() {
    // Identity sequences are written inside their column; map them to the table.
    std::map<std::pair<Oid, int>, const Relation*> identity_seq;
    for (const auto& r : cat_.relations)
      if (r.sequence && r.sequence->owner_deptype == 'i') identity_seq[{r.sequence->owner_table, r.sequence->owner_attnum}] = &r;

    for (const auto& r : cat_.relations) {
      if (!is_app(r)) continue;
      std::string q = qname(r);
      switch (r.kind) {
        case 'S': build_sequence(r, q); break;
        case 'r':
        case 'p': build_table(r, q, identity_seq); break;
        case 'v':
        case 'm': build_view(r, q); break;
      }
      if (r.kind == 'S' || r.kind == 'r' || r.kind == 'p' || r.kind == 'v' || r.kind == 'm')
        add_acl(kPgClass, r.oid, r.has_acl, r.kind == 'S' ? 'S' : 'r', (r.kind == 'S' ? "SEQUENCE " : "TABLE ") + q,
                r.owner, r.schema, r.name, "relation");
    }
  }

  void build_sequence(const Relation& r, const std::string& q) {
    const auto& s = *r.sequence;
    if (s.owner_deptype == 'i') {
      auto t = rel_.find(s.owner_table);
      if (t != rel_.end()) pending_maps_.push_back({{kPgClass, r.oid}, t->second->oid});
      return;
    }
    std::string sql = "CREATE SEQUENCE IF NOT EXISTS " + q + sequence_options(s, true, "\n    ") + ";\n";
    sql += "ALTER SEQUENCE " + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
    sql += comments_for({kPgClass, r.oid}, "SEQUENCE " + q);
    add({{kRankSequence, r.schema, r.name, ""}, kPre, "SEQUENCE", r.schema, r.name, r.owner, sql},
                    {{kPgClass, r.oid}, {kPgType, r.reltype}});
    if (s.owner_deptype == 'a') {
      auto t = rel_.find(s.owner_table);
      std::string col = column_name(s.owner_table, s.owner_attnum);
      if (t != rel_.end() && !col.empty() && is_app(*t->second)) {
        std::string own = "ALTER SEQUENCE " + q + " OWNED BY " + qname(*t->second) + "." + quote_ident(col) + ";\n";
        size_t oid_obj = objects_.size();
        objects_.push_back({{kRankSeqOwnedBy, r.schema, r.name, ""}, kPre, "SEQUENCE OWNED BY", r.schema, r.name, r.owner, own});
        extra_edges_.push_back({{kPgClass, r.oid}, oid_obj});
        extra_edges_.push_back({{kPgClass, t->second->oid}, oid_obj});
      }
    }
  }

  // A default that calls one of the application's functions is set after CREATE TABLE, so
  // that a function taking the table's row type can sit between the two.
  bool separate_default(const Column& c) const {
    return c.default_expr && !c.identity && c.generated == 0 && defaults_calling_functions_.count(c.attrdef_oid);
  }

  std::string column_def(const Relation& r, const Column& c,
                         const std::map<std::pair<Oid, int>, const Relation*>& identity_seq) const {
    std::string d = quote_ident(c.name) + " " + c.type;
    if (!c.collation.empty()) d += " COLLATE " + c.collation;
    if ((c.generated == 's' || c.generated == 'v') && c.default_expr) {
      d += " GENERATED ALWAYS AS (" + *c.default_expr + (c.generated == 's' ? ") STORED" : ") VIRTUAL");
    } else if (c.default_expr && !c.identity && !separate_default(c)) {
      d += " DEFAULT " + *c.default_expr;
    }
    if (c.not_null) {
      // 18 names the constraint; the name the server would choose is left to it, as pg_dump does.
      if (!c.not_null_name.empty() && c.not_null_name != r.name + "_" + c.name + "_not_null")
        d += " CONSTRAINT " + quote_ident(c.not_null_name);
      d += " NOT NULL";
      if (c.not_null_no_inherit) d += " NO INHERIT";
    }
    if (c.identity) {
      d += c.identity == 'a' ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY";
      auto it = identity_seq.find({r.oid, c.attnum});
      if (it != identity_seq.end())
        d += " (\n        SEQUENCE NAME " + qname(*it->second) +
             sequence_options(*it->second->sequence, false, "\n        ") + "\n    )";
    }
    return d;
  }

  void build_table(const Relation& r, const std::string& q,
                   const std::map<std::pair<Oid, int>, const Relation*>& identity_seq) {
    std::vector<std::string> items;
    std::string after, comments;
    std::vector<ObjRef> refs{{kPgClass, r.oid}, {kPgType, r.reltype}};
    const Relation* parent = nullptr;
    if (r.is_partition && !r.parents.empty()) {
      auto it = rel_.find(r.parents[0]);
      if (it != rel_.end()) parent = it->second;
    }
    for (const auto& c : r.columns) {
      if (c.attrdef_oid && !((c.is_local || parent) && separate_default(c))) refs.push_back({kPgAttrdef, c.attrdef_oid});
      const Column* pc = (!parent && !c.is_local) ? parent_column(r, c.name) : nullptr;
      if (parent || c.is_local || !pc) {
        // A partition is written whole, in its own column order, and attached afterwards (as
        // pg_dump does), so a partition attached with another physical order keeps it.
        Column own = c;
        if (parent) own.identity = 0;  // identity belongs to the partitioned table
        items.push_back(column_def(r, own, identity_seq));
        if (c.not_null && c.not_null_oid) {
          refs.push_back({kPgConstraint, c.not_null_oid});
          comments += comments_for({kPgConstraint, c.not_null_oid}, "CONSTRAINT " + quote_ident(c.not_null_name) + " ON " + q);
        }
        if (separate_default(c)) {
          std::string sql = alter_table(r) + " ALTER COLUMN " + quote_ident(c.name) + " SET DEFAULT " + *c.default_expr + ";\n";
          size_t id = add({{kRankTable, r.schema, r.name, "default " + c.name}, kPre, "DEFAULT", r.schema, r.name + " " + c.name,
                           r.owner, sql},
                          {{kPgAttrdef, c.attrdef_oid}});
          extra_edges_.push_back({{kPgClass, r.oid}, id});
          separate_defaults_[r.oid].push_back(id);
        }
      } else {
        // Inherited column: the child gets the parent's default and NOT NULL; write differences.
        if (c.default_expr && c.generated == 0 && (!pc->default_expr || *pc->default_expr != *c.default_expr))
          after += "ALTER TABLE ONLY " + q + " ALTER COLUMN " + quote_ident(c.name) + " SET DEFAULT " + *c.default_expr + ";\n";
        if (c.not_null && !pc->not_null) {
          if (pc->not_null_oid && !pc->not_null_valid && c.not_null_oid && !c.not_null_is_local) {
            // 18: inherited from the parent's NOT VALID one and validated here. The parent's
            // ADD CONSTRAINT (post-data) gives this table the constraint NOT VALID again:
            // validate it after that (and, as in the source, this table's own children).
            std::string sql = "ALTER TABLE " + q + " VALIDATE CONSTRAINT " + quote_ident(c.not_null_name) + ";\n";
            size_t id = add({{kRankCheck, r.schema, r.name, "validate " + c.not_null_name}, kPost, "CONSTRAINT VALIDATE",
                             r.schema, r.name + " " + c.not_null_name, r.owner, sql},
                            {});
            extra_edges_.push_back({{kPgConstraint, pc->not_null_oid}, id});
          } else {
            after += "ALTER TABLE ONLY " + q + " ALTER COLUMN " + quote_ident(c.name) + " SET NOT NULL;\n";
          }
        }
      }
      std::string col = "ALTER TABLE ONLY " + q + " ALTER COLUMN " + quote_ident(c.name);
      if (c.stat_target >= 0) after += col + " SET STATISTICS " + std::to_string(c.stat_target) + ";\n";
      if (c.storage != c.type_storage && c.storage) {
        const char* s = c.storage == 'p' ? "PLAIN" : c.storage == 'e' ? "EXTERNAL" : c.storage == 'm' ? "MAIN" : "EXTENDED";
        after += col + " SET STORAGE " + s + ";\n";
      }
      if (!c.options.empty()) after += col + " SET (" + format_options(c.options) + ");\n";
      if (c.compression == 'p') after += col + " SET COMPRESSION pglz;\n";
      if (c.compression == 'l') after += col + " SET COMPRESSION lz4;\n";
    }
    for (const auto& c : cat_.constraints) {
      if (c.relid != r.oid || c.type != 'c') continue;
      if ((!c.is_local && !parent) || !c.validated) continue;  // a partition needs its parent's checks to attach
      refs.push_back({kPgConstraint, c.oid});
      items.push_back("CONSTRAINT " + quote_ident(c.name) + " " + c.def);
      comments += comments_for({kPgConstraint, c.oid}, "CONSTRAINT " + quote_ident(c.name) + " ON " + q);
    }
    std::string sql = std::string("CREATE ") + (r.persistence == 'u' ? "UNLOGGED " : "") + "TABLE IF NOT EXISTS " + q;
    sql += " (\n";
    for (size_t i = 0; i < items.size(); ++i) sql += "    " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
    sql += ")";
    if (parent && r.partbound) {
      std::string attach = "ALTER TABLE ONLY " + qname(*parent) + " ATTACH PARTITION " + q + " " + *r.partbound + ";\n";
      size_t id = add({{kRankTable, r.schema, r.name, "attach"}, kPre, "TABLE ATTACH", r.schema, r.name, r.owner, attach}, {});
      extra_edges_.push_back({{kPgClass, r.oid}, id});
      extra_edges_.push_back({{kPgClass, parent->oid}, id});
    }
    if (!parent && !r.parents.empty()) {
      sql += "\nINHERITS (";
      for (size_t i = 0; i < r.parents.size(); ++i) {
        auto it = rel_.find(r.parents[i]);
        if (it == rel_.end()) throw std::runtime_error("table " + q + " inherits from a table in a left-out schema");
        sql += (i ? ", " : "") + qname(*it->second);
      }
      sql += ")";
    }
    if (r.partkey) sql += "\nPARTITION BY " + *r.partkey;
    if (!r.access_method.empty()) sql += "\nUSING " + quote_ident(r.access_method);
    std::string opts = format_options(r.reloptions);
    std::string topts = format_options(r.toast_reloptions, "toast.");
    if (!topts.empty()) opts += (opts.empty() ? "" : ", ") + topts;
    if (!opts.empty()) sql += "\nWITH (" + opts + ")";
    sql += ";\n";
    sql += "ALTER TABLE " + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
    sql += after;
    if (r.replident == 'f') sql += "ALTER TABLE ONLY " + q + " REPLICA IDENTITY FULL;\n";
    if (r.replident == 'n') sql += "ALTER TABLE ONLY " + q + " REPLICA IDENTITY NOTHING;\n";
    sql += comments_for({kPgClass, r.oid}, "TABLE " + q, q) + comments;
    size_t id = add({{kRankTable, r.schema, r.name, ""}, kPre, "TABLE", r.schema, r.name, r.owner, sql}, {});
    for (auto ref : refs) map_ref(ref, id);
  }

  void build_view(const Relation& r, const std::string& q) {
    std::string sql;
    std::string check;
    for (const auto& o : r.reloptions) {
      if (o == "check_option=local") check = "\n  WITH LOCAL CHECK OPTION";
      if (o == "check_option=cascaded") check = "\n  WITH CASCADED CHECK OPTION";
    }
    std::string opts = format_options(r.reloptions, "", "check_option");
    std::string body = strip_semicolon(r.viewdef.value_or(""));
    std::string kw;
    if (r.kind == 'v') {
      kw = "VIEW";
      sql = "CREATE OR REPLACE VIEW " + q + (opts.empty() ? "" : " WITH (" + opts + ")") + " AS\n" + body + check + ";\n";
    } else {
      kw = "MATERIALIZED VIEW";
      sql = "CREATE MATERIALIZED VIEW IF NOT EXISTS " + q +
            (r.access_method.empty() ? "" : " USING " + quote_ident(r.access_method)) +
            (opts.empty() ? "" : " WITH (" + opts + ")") + " AS\n" + body + "\n  WITH NO DATA;\n";
    }
    sql += "ALTER " + std::string(r.kind == 'v' ? "VIEW " : "MATERIALIZED VIEW ") + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
    std::string after;
    for (const auto& c : r.columns) {
      std::string col = "ALTER " + kw + " " + q + " ALTER COLUMN " + quote_ident(c.name);
      if (r.kind == 'v' && c.default_expr) after += col + " SET DEFAULT " + *c.default_expr + ";\n";
      if (r.kind == 'm' && c.stat_target >= 0) after += col + " SET STATISTICS " + std::to_string(c.stat_target) + ";\n";
    }
    sql += after + comments_for({kPgClass, r.oid}, kw + " " + q, q);
    std::vector<ObjRef> refs{{kPgClass, r.oid}, {kPgType, r.reltype}};
    if (r.rewrite_oid) refs.push_back({kPgRewrite, r.rewrite_oid});
    size_t id = add({{r.kind == 'v' ? kRankView : kRankMatview, r.schema, r.name, ""}, kPre, kw, r.schema, r.name, r.owner, sql}, {});
    for (auto ref : refs) map_ref(ref, id);
  }

  std::string alter_table(const Relation& r) const {
    return std::string("ALTER TABLE ") + (r.kind == 'p' ? "" : "ONLY ") + qname(r);
  }

  void build_constraints() {
    for (const auto& c : cat_.constraints) {
      if (c.relid == 0 || c.parentid != 0) continue;
      auto it = rel_.find(c.relid);
      if (it == rel_.end() || !is_app(*it->second)) continue;
      const Relation& r = *it->second;
      if (c.type == 'c' && (!c.is_local || c.validated)) continue;
      Rank rank = c.type == 'f' ? kRankForeignKey : c.type == 'c' || c.type == 'n' ? kRankCheck : kRankUniqueKey;
      std::string q = qname(r);
      // A NOT NULL cannot be added to a parent ONLY: it goes to the children too, as it came.
      std::string alter = c.type == 'n' ? "ALTER TABLE " + q : alter_table(r);
      std::string sql = alter + "\n    ADD CONSTRAINT " + quote_ident(c.name) + " " + c.def + ";\n";
      sql += comments_for({kPgConstraint, c.oid}, "CONSTRAINT " + quote_ident(c.name) + " ON " + q);
      std::vector<ObjRef> refs{{kPgConstraint, c.oid}};
      for (const auto& x : cat_.indexes) {
        if (x.constraint_oid != c.oid) continue;
        refs.push_back({kPgClass, x.oid});
        if (x.clustered) sql += "ALTER TABLE " + q + " CLUSTER ON " + quote_ident(x.name) + ";\n";
        if (x.replident) sql += "ALTER TABLE ONLY " + q + " REPLICA IDENTITY USING INDEX " + quote_ident(x.name) + ";\n";
        sql += comments_for({kPgClass, x.oid}, "INDEX " + quote_qualified(x.schema, x.name));
      }
      size_t id = add({{rank, r.schema, r.name, c.name}, kPost, "CONSTRAINT", r.schema, r.name + " " + c.name, r.owner, sql}, {});
      for (auto ref : refs) map_ref(ref, id);
    }
  }

  // pg_get_indexdef writes "ON ONLY" for an index on a partitioned table; without ONLY the
  // server creates (or attaches) the partitions' indexes itself.
  static std::string drop_on_only(const std::string& def) {
    size_t p = def.find('"');
    if (p == std::string::npos) return def;
    ++p;
    while (p < def.size()) {  // skip the quoted index name ("" is an escaped quote)
      if (def[p] == '"') {
        if (p + 1 < def.size() && def[p + 1] == '"') { p += 2; continue; }
        break;
      }
      ++p;
    }
    static const std::string needle = "\" ON ONLY ";
    if (def.compare(p, needle.size(), needle) == 0) return def.substr(0, p) + "\" ON " + def.substr(p + needle.size());
    return def;
  }

  void build_indexes() {
    for (const auto& x : cat_.indexes) {
      if (x.constraint_oid || x.is_partition_child) continue;
      auto it = rel_.find(x.relid);
      if (it == rel_.end() || !is_app(*it->second)) continue;
      const Relation& r = *it->second;
      std::string def = r.kind == 'p' ? drop_on_only(x.def) : x.def;
      std::string sql = def + ";\n";
      if (x.clustered) sql += "ALTER TABLE " + qname(r) + " CLUSTER ON " + quote_ident(x.name) + ";\n";
      if (x.replident) sql += "ALTER TABLE ONLY " + qname(r) + " REPLICA IDENTITY USING INDEX " + quote_ident(x.name) + ";\n";
      sql += comments_for({kPgClass, x.oid}, "INDEX " + quote_qualified(x.schema, x.name));
      add({{kRankIndex, x.schema, x.name, ""}, kPost, "INDEX", x.schema, x.name, r.owner, sql}, {{kPgClass, x.oid}});
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

  std::vector<std::pair<ObjRef, Oid>> pending_maps_;
  std::vector<std::pair<ObjRef, size_t>> extra_edges_;
  std::set<Oid> defaults_calling_functions_;
  std::map<Oid, std::vector<size_t>> separate_defaults_;
};

}  // namespace

SchemaDumpResult write_schema_sql(pg::Connection& conn, Sink& out, const SchemaOptions& opts) {
  catalog::CatalogReadScope scope(conn);
  auto cat = catalog::load_catalog(conn);
  SchemaWriter w(cat, opts);
  return w.write(out);
}

}  // namespace crm::engine::schema
