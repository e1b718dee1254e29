#pragma once
// What schema.sql needs to know about a database, read with one set-based query per object
// kind, all in one pipelined round trip (round trips never grow with the number of objects).
// The queries are files in engine/schema/kinds/; this model holds what several kinds share
// (schemas, relations and columns, constraints, indexes, default privileges, comments,
// dependencies, ACLs), which the owning kind's module parses into it (Kind::load), and every
// kind's own rows. Text
// that the server deparses (view bodies, function definitions, expressions, type names) is
// taken as the server writes it under search_path = '' and quote_all_identifiers = on, so
// every name in it is schema-qualified and double-quoted.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgwire/connection.hpp"
#include "pgwire/pg_version.hpp"
#include "pgwire/result.hpp"

namespace crm::engine::catalog {

using Oid = std::uint32_t;

// Fixed catalog OIDs (identical in every PostgreSQL version).
inline constexpr Oid kPgClass = 1259, kPgType = 1247, kPgProc = 1255, kPgConstraint = 2606,
                     kPgAttrdef = 2604, kPgRewrite = 2618, kPgTrigger = 2620, kPgPolicy = 3256,
                     kPgNamespace = 2615, kPgExtension = 3079, kPgPublication = 6104,
                     kPgCollation = 3456, kPgDatabase = 1262,
                     kPgStatisticExt = 3381, kPgEventTrigger = 3466, kPgTsDict = 3600, kPgTsConfig = 3602;

struct ObjRef {
  Oid classid = 0;
  Oid objid = 0;
  auto operator<=>(const ObjRef&) const = default;
};

// One privilege row of aclexplode(), in the order the server stores the ACL.
struct AclEntry {
  std::string grantor;
  std::string grantee;  // "" for PUBLIC
  std::string privilege;
  bool grantable = false;
};
using Acl = std::vector<AclEntry>;

struct Namespace {
  Oid oid;
  std::string name, owner;
  bool has_acl;  // relacl-style column is not NULL
};

struct Column {
  int attnum;
  std::string name, type, collation;
  bool not_null, is_local;
  int inh_count;
  char identity, generated;  // '\0' when none
  std::optional<std::string> default_expr;
  Oid attrdef_oid = 0;
  int stat_target;  // -1 default
  char storage, type_storage;
  std::vector<std::string> options;  // attoptions, name=value as stored
  char compression;        // '\0' default
  bool has_acl;
  // PostgreSQL 18: the pg_constraint row of the column's NOT NULL (0 before 18 or when none).
  Oid not_null_oid = 0;
  std::string not_null_name;
  bool not_null_no_inherit = false;
  bool not_null_is_local = true;  // false: only inherited from a parent's
  bool not_null_valid = true;     // false: NOT VALID (then not_null is false: added after the data)
};

struct Sequence {
  std::string type;
  std::string start, increment, min, max, cache;
  bool cycle;
  Oid owner_table = 0;  // OWNED BY / identity
  int owner_attnum = 0;
  char owner_deptype = 0;  // 'a' owned by, 'i' identity
};

struct Relation {
  Oid oid, reltype;
  std::string schema, name, owner;
  char kind;         // r p v m S c (c: a composite type's columns, for comments)
  char persistence;  // p u
  char replident;
  bool has_acl, rls, force_rls, is_partition;
  std::vector<std::string> reloptions;  // name=value as stored
  std::vector<std::string> toast_reloptions;
  std::string access_method;  // "" when heap (or not applicable)
  std::optional<std::string> partbound, partkey, viewdef;
  std::vector<Oid> parents;  // pg_inherits order
  Oid rewrite_oid = 0;
  std::vector<Column> columns;
  std::optional<Sequence> sequence;
};

struct Constraint {
  Oid oid;
  std::string name, schema;
  char type;  // c f p u t x, and n (a NOT VALID NOT NULL of a table, PostgreSQL 18)
  Oid relid = 0, typid = 0, parentid = 0, indexid = 0;
  bool is_local, validated;
  std::string def;
};

struct Index {
  Oid oid, relid;
  std::string schema, name, def;
  bool clustered, replident, is_partition_child;
  Oid constraint_oid = 0;  // the PK/UNIQUE/EXCLUDE constraint it implements
};

struct DefaultAcl {
  Oid oid;
  std::string role, schema;  // schema "" for a global entry
  char objtype;
  Acl acl;
};

// An object schema.sql does not know how to write (foreign tables and servers, user mappings,
// operators, ...): reported, never silently dropped.
struct Unsupported {
  std::string kind, schema, name;
};

struct Comment {
  ObjRef obj;
  int subid;
  std::string text;
};

struct Dependency {
  ObjRef obj, ref;
  char deptype;
};

struct Catalog {
  pg::PgVersion version{0};
  std::vector<Namespace> namespaces;  // only the dumped application schemas
  std::vector<Namespace> managed;     // auth and storage, for the managed-schema section
  std::vector<Relation> relations;  // application schemas and managed schemas
  std::vector<Constraint> constraints;
  std::vector<Index> indexes;
  std::vector<DefaultAcl> default_acls;
  std::vector<Unsupported> unsupported;
  std::vector<Comment> comments;
  std::vector<Dependency> dependencies;
  std::map<ObjRef, Oid> extension_members;  // object -> extension oid
  // ACLs by (catalog, object, column): absent when the column is NULL.
  std::map<std::tuple<Oid, Oid, int>, Acl> acls;
  // The rows of the kinds in engine/schema/kinds/, by kind name, one result per query of
  // the kind (its own module parses them).
  std::map<std::string, std::vector<pg::Result>, std::less<>> kind_rows;

  bool is_extension_member(ObjRef obj) const { return extension_members.count(obj) > 0; }
};

// Schemas schema.sql leaves out entirely (the platform manages them).
bool is_left_out_schema(const std::string& name);
// Platform-managed schemas whose tables may carry the application's own triggers/policies.
bool is_managed_app_schema(const std::string& name);

// Reads everything. Expects CatalogReadScope to be active on conn.
Catalog load_catalog(pg::Connection& conn);

}  // namespace crm::engine::catalog
