#pragma once
#include <string>

namespace crm::engine {
// "crmbackup-native 0.1.0", recorded in every manifest.
std::string tool_version();
}  // namespace crm::engine
