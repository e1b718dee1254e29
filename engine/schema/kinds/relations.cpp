// Tables (columns, defaults, identity, generated columns, NOT NULL, valid CHECKs, partitions
// and inheritance), sequences (and OWNED BY), views and materialized views, with owner,
// comments and ACLs. Their rows (and their columns') are loaded into the shared catalog
// model (load): every other kind refers to relations. The drop a restore needs is here too.
#include <map>
#include <set>
#include <stdexcept>

#include "engine/catalog/row_fields.hpp"
#include "engine/schema/kinds/functions.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
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

class RelationWriter {
 public:
  explicit RelationWriter(DumpBuilder& out) : out_(out), rels_(out.relations_by_oid()) {
    std::set<Oid> functions = dumped_functions(out_.catalog());
    for (const auto& d : out_.catalog().dependencies)
      if (d.obj.classid == kPgAttrdef && d.ref.classid == kPgProc && functions.count(d.ref.objid))
        defaults_calling_functions_.insert(d.obj.objid);
  }

  void write() { build_relations(); }

 private:
  const Column* parent_column(const Relation& r, const std::string& name) const {
    for (Oid p : r.parents) {
      auto it = rels_.find(p);
      if (it == rels_.end()) continue;
      for (const auto& c : it->second->columns)
        if (c.name == name) return &c;
    }
    return nullptr;
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
    for (const auto& r : out_.catalog().relations)
      if (r.sequence && r.sequence->owner_deptype == 'i') identity_seq[{r.sequence->owner_table, r.sequence->owner_attnum}] = &r;

    for (const auto& r : out_.catalog().relations) {
      if (!out_.is_app(r)) continue;
      std::string q = out_.qname(r);
      switch (r.kind) {
        case 'S': build_sequence(r, q); break;
        case 'r':
        case 'p': build_table(r, q, identity_seq); break;
        case 'v':
        case 'm': build_view(r, q); break;
      }
      if (r.kind == 'S' || r.kind == 'r' || r.kind == 'p' || r.kind == 'v' || r.kind == 'm')
        out_.add_acl(kPgClass, r.oid, r.has_acl, r.kind == 'S' ? 'S' : 'r', (r.kind == 'S' ? "SEQUENCE " : "TABLE ") + q,
                r.owner, r.schema, r.name, "relation");
    }
  }

  void build_sequence(const Relation& r, const std::string& q) {
    const auto& s = *r.sequence;
    if (s.owner_deptype == 'i') {
      auto t = rels_.find(s.owner_table);
      if (t != rels_.end()) out_.map_ref_to_relation({kPgClass, r.oid}, t->second->oid);
      return;
    }
    std::string sql = "CREATE SEQUENCE IF NOT EXISTS " + q + sequence_options(s, true, "\n    ") + ";\n";
    sql += "ALTER SEQUENCE " + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
    sql += out_.comments_for({kPgClass, r.oid}, "SEQUENCE " + q);
    out_.add({{kRankSequence, r.schema, r.name, ""}, kPre, "SEQUENCE", r.schema, r.name, r.owner, sql},
                    {{kPgClass, r.oid}, {kPgType, r.reltype}});
    if (s.owner_deptype == 'a') {
      auto t = rels_.find(s.owner_table);
      std::string col = out_.column_name(s.owner_table, s.owner_attnum);
      if (t != rels_.end() && !col.empty() && out_.is_app(*t->second)) {
        std::string own = "ALTER SEQUENCE " + q + " OWNED BY " + out_.qname(*t->second) + "." + quote_ident(col) + ";\n";
        size_t oid_obj = out_.add({{kRankSeqOwnedBy, r.schema, r.name, ""}, kPre, "SEQUENCE OWNED BY", r.schema, r.name, r.owner, own}, {});
        out_.add_edge({kPgClass, r.oid}, oid_obj);
        out_.add_edge({kPgClass, t->second->oid}, oid_obj);
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
        d += " (\n        SEQUENCE NAME " + out_.qname(*it->second) +
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
      auto it = rels_.find(r.parents[0]);
      if (it != rels_.end()) parent = it->second;
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
          comments += out_.comments_for({kPgConstraint, c.not_null_oid}, "CONSTRAINT " + quote_ident(c.not_null_name) + " ON " + q);
        }
        if (separate_default(c)) {
          std::string sql = out_.alter_table(r) + " ALTER COLUMN " + quote_ident(c.name) + " SET DEFAULT " + *c.default_expr + ";\n";
          size_t id = out_.add({{kRankTable, r.schema, r.name, "default " + c.name}, kPre, "DEFAULT", r.schema, r.name + " " + c.name,
                           r.owner, sql},
                          {{kPgAttrdef, c.attrdef_oid}});
          out_.add_edge({kPgClass, r.oid}, id);
          out_.add_separate_default(r.oid, id);
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
            size_t id = out_.add({{kRankCheck, r.schema, r.name, "validate " + c.not_null_name}, kPost, "CONSTRAINT VALIDATE",
                             r.schema, r.name + " " + c.not_null_name, r.owner, sql},
                            {});
            out_.add_edge({kPgConstraint, pc->not_null_oid}, id);
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
    for (const auto& c : out_.catalog().constraints) {
      if (c.relid != r.oid || c.type != 'c') continue;
      if ((!c.is_local && !parent) || !c.validated) continue;  // a partition needs its parent's checks to attach
      refs.push_back({kPgConstraint, c.oid});
      items.push_back("CONSTRAINT " + quote_ident(c.name) + " " + c.def);
      comments += out_.comments_for({kPgConstraint, c.oid}, "CONSTRAINT " + quote_ident(c.name) + " ON " + q);
    }
    std::string sql = std::string("CREATE ") + (r.persistence == 'u' ? "UNLOGGED " : "") + "TABLE IF NOT EXISTS " + q;
    sql += " (\n";
    for (size_t i = 0; i < items.size(); ++i) sql += "    " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
    sql += ")";
    if (parent && r.partbound) {
      std::string attach = "ALTER TABLE ONLY " + out_.qname(*parent) + " ATTACH PARTITION " + q + " " + *r.partbound + ";\n";
      size_t id = out_.add({{kRankTable, r.schema, r.name, "attach"}, kPre, "TABLE ATTACH", r.schema, r.name, r.owner, attach}, {});
      out_.add_edge({kPgClass, r.oid}, id);
      out_.add_edge({kPgClass, parent->oid}, id);
    }
    if (!parent && !r.parents.empty()) {
      sql += "\nINHERITS (";
      for (size_t i = 0; i < r.parents.size(); ++i) {
        auto it = rels_.find(r.parents[i]);
        if (it == rels_.end()) throw std::runtime_error("table " + q + " inherits from a table in a left-out schema");
        sql += (i ? ", " : "") + out_.qname(*it->second);
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
    sql += out_.comments_for({kPgClass, r.oid}, "TABLE " + q, q) + comments;
    size_t id = out_.add({{kRankTable, r.schema, r.name, ""}, kPre, "TABLE", r.schema, r.name, r.owner, sql}, {});
    for (auto ref : refs) out_.map_ref(ref, id);
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
    sql += after + out_.comments_for({kPgClass, r.oid}, kw + " " + q, q);
    std::vector<ObjRef> refs{{kPgClass, r.oid}, {kPgType, r.reltype}};
    if (r.rewrite_oid) refs.push_back({kPgRewrite, r.rewrite_oid});
    size_t id = out_.add({{r.kind == 'v' ? kRankView : kRankMatview, r.schema, r.name, ""}, kPre, kw, r.schema, r.name, r.owner, sql}, {});
    for (auto ref : refs) out_.map_ref(ref, id);
  }


  DumpBuilder& out_;
  const std::map<Oid, const Relation*>& rels_;
  std::set<Oid> defaults_calling_functions_;
};

void write(const std::vector<pg::Result>&, DumpBuilder& out) { RelationWriter(out).write(); }

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

// rows[0]: relations.sql (application and managed schemas), rows[1]: columns.sql (the
// application's relations only; a managed table's columns are the platform's).
void load(const std::vector<pg::Result>& rows, Catalog& cat) {
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

std::string drop(const pg::Result& rows, int row, const std::string& schema) {
  std::string_view k = rows.get(row, "relkind");
  const char* kind = k == "v" ? "VIEW" : k == "m" ? "MATERIALIZED VIEW" : k == "f" ? "FOREIGN TABLE"
                   : k == "S" ? "SEQUENCE" : "TABLE";
  return std::string("DROP ") + kind + " " + quote_qualified(schema, rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind relations() {
  return {"relations", {{"relations", Param::kAllSchemas}, {"columns", Param::kAppSchemas}}, write,
          Drop{"relations.drop", "pg_catalog.pg_class", drop}, load};
}

}  // namespace crm::engine::schema::kinds
