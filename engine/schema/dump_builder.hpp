#pragma once
// schema.sql under construction: the objects to write, each with its SQL, section and sort key,
// and the catalog objects (ObjRef) each one stands for, so that pg_depend edges between catalog
// objects become edges between dump objects. The writer in schema_sql.cpp and every kind
// module in kinds/ add their objects here; schema_sql.cpp then orders and writes them.
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/schema_sql.hpp"
#include "engine/schema/toposort.hpp"

namespace crm::engine::schema {

enum Section { kPre = 0, kPost = 1, kManaged = 2 };

// Kind ranks: the tie-break between objects whose dependencies are already placed (the sort
// key's first field; never written). Spaced by ten so that a kind module can place itself
// between two (kRankAggregate + 5) without editing this list.
enum Rank : int {
  kRankSchema = 10, kRankExtension = 20, kRankCollation = 30, kRankType = 40, kRankFunction = 50,
  kRankAggregate = 60, kRankTsDictionary = 70, kRankTsConfiguration = 80, kRankSequence = 90, kRankTable = 100,
  kRankView = 110, kRankMatview = 120, kRankSeqOwnedBy = 130,
  kRankUniqueKey = 200, kRankIndex = 210, kRankCheck = 220, kRankForeignKey = 230, kRankTrigger = 240,
  kRankRule = 250, kRankRls = 260, kRankPolicy = 270, kRankStatistics = 280, kRankPublication = 290,
  kRankPublicationMember = 300, kRankEventTrigger = 310, kRankAcl = 320, kRankDefaultAcl = 330,
  kRankManagedFunction = 390, kRankManagedTrigger = 400, kRankManagedPolicy = 410
};

struct DumpObject {
  SortKey key;
  Section section = kPre;
  std::string type_label, schema, name, owner;
  std::string sql;
  bool active = true;  // false: written commented out
};

// A server deparser's text without its trailing semicolon (and blanks), to end it with ";\n".
std::string strip_semicolon(std::string s);
// A grantee as GRANT/REVOKE write it ("" is PUBLIC).
std::string grantee_sql(const std::string& grantee);
// GRANT statements re-creating acl in stored order (on: "TABLE x"; column: a column's ACL).
std::string grants(const catalog::Acl& acl, const std::string& on, const std::string& owner,
                   const std::string& column = "");

class DumpBuilder {
 public:
  DumpBuilder(const catalog::Catalog& cat, const SchemaOptions& opts);

  const catalog::Catalog& catalog() const { return cat_; }
  const SchemaOptions& options() const { return opts_; }

  // Adds an object standing for refs (edges to and from them become its edges); returns its id.
  size_t add(DumpObject o, std::initializer_list<catalog::ObjRef> refs);
  // One more catalog object the dump object id stands for.
  void map_ref(catalog::ObjRef r, size_t id) { owner_.emplace(r, id); }

  // COMMENT ON statements for one catalog object: target names the object itself ("" to skip
  // its own comment), column_prefix the relation for comments on its columns ("" to skip).
  std::string comments_for(catalog::ObjRef obj, const std::string& target, const std::string& column_prefix = "") const;

  // The ACL of one object as REVOKE/GRANT statements, when the source set it or default
  // privileges could change it on the target at CREATE time (defacl_type: pg_default_acl's
  // objtype). Adds a post-data ACL object when there is anything to write.
  void add_acl(catalog::Oid cls, catalog::Oid oid, bool has_acl, char defacl_type, const std::string& on,
               const std::string& owner, const std::string& schema, const std::string& name, const std::string& detail);

  // An edge from the dump object standing for `before` (once every object is added) to id.
  void add_edge(catalog::ObjRef before, size_t id) { extra_edges_.emplace_back(before, id); }
  // r stands for whatever object the relation relid stands for (an identity sequence: its table).
  void map_ref_to_relation(catalog::ObjRef r, catalog::Oid relid) { pending_maps_.emplace_back(r, relid); }
  // A default set after CREATE TABLE (id): the table's inheritance children come after it.
  void add_separate_default(catalog::Oid table, size_t id) { separate_defaults_[table].push_back(id); }

  // A relation of the catalog (application or managed schemas), nullptr when not read.
  const catalog::Relation* relation(catalog::Oid oid) const;
  bool is_app_schema(const std::string& schema) const { return app_schemas_.count(schema) > 0; }
  bool is_app(const catalog::Relation& r) const { return is_app_schema(r.schema); }
  const std::map<catalog::Oid, const catalog::Relation*>& relations_by_oid() const { return rel_; }
  std::string qname(const catalog::Relation& r) const;
  // "ALTER TABLE [ONLY] <relation>": ONLY unless partitioned (a partitioned table has no data
  // of its own and some changes must reach its partitions).
  std::string alter_table(const catalog::Relation& r) const;
  std::string column_name(catalog::Oid relid, int attnum) const;

 protected:
  bool default_acl_applies(char objtype, const std::string& schema) const;
  std::set<std::string> default_acl_grantees(char objtype, const std::string& schema) const;

  const catalog::Catalog& cat_;
  const SchemaOptions& opts_;
  std::map<catalog::Oid, const catalog::Relation*> rel_;
  std::set<std::string> app_schemas_;
  std::map<catalog::ObjRef, std::vector<std::pair<int, std::string>>> comments_;
  std::vector<DumpObject> objects_;
  std::map<catalog::ObjRef, size_t> owner_;
  std::vector<std::pair<catalog::ObjRef, catalog::Oid>> pending_maps_;
  std::vector<std::pair<catalog::ObjRef, size_t>> extra_edges_;
  std::map<catalog::Oid, std::vector<size_t>> separate_defaults_;
};

}  // namespace crm::engine::schema
