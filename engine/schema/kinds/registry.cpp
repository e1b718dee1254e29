#include "engine/schema/kinds/registry.hpp"

// One line per kind: kinds/<name>.cpp defines `Kind <name>()`.
#define CRM_SCHEMA_KINDS(X) \
  X(extensions)             \
  X(shared)                 \
  X(schemas)                \
  X(relations)              \
  X(constraints)            \
  X(indexes)                \
  X(functions)              \
  X(types)                  \
  X(collations)             \
  X(ts_configurations)      \
  X(ts_dictionaries)        \
  X(statistics)             \
  X(rules)                  \
  X(policies)               \
  X(triggers)               \
  X(publications)           \
  X(event_triggers)         \
  X(default_acls)           \
  X(casts)                  \
  X(unsupported)

namespace crm::engine::schema::kinds {

#define CRM_DECLARE_KIND(name) Kind name();
CRM_SCHEMA_KINDS(CRM_DECLARE_KIND)
#undef CRM_DECLARE_KIND

const std::vector<Kind>& registry() {
#define CRM_LIST_KIND(name) name(),
  static const std::vector<Kind> kinds = {CRM_SCHEMA_KINDS(CRM_LIST_KIND)};
#undef CRM_LIST_KIND
  return kinds;
}

}  // namespace crm::engine::schema::kinds
