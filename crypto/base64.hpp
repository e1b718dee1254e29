#pragma once
// Standard base64 (RFC 4648, with padding) through libsodium, for the binary fields of the key file.
#include <optional>
#include <string>
#include <string_view>

namespace crm::crypto {

std::string to_base64(std::string_view bytes);
// nullopt for anything that is not canonical padded base64.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace crm::crypto
