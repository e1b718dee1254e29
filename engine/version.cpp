#include "engine/version.hpp"

namespace crm::engine {
std::string tool_version() { return std::string("crmbackup-native ") + CRM_VERSION; }
}  // namespace crm::engine
