#pragma once
// URL pieces for the Storage API: every segment of an object name is percent-encoded so
// names with spaces, '?', '#', '%' or unicode reach the server unchanged.
#include <string>
#include <string_view>

namespace crm::storage {

// RFC 3986 unreserved characters stay; everything else becomes %XX (UTF-8 bytes).
std::string percent_encode_segment(std::string_view segment);
// Encodes each '/'-separated segment of an object name, keeping the slashes.
std::string encode_object_path(std::string_view name);
// Joins a base URL (with or without trailing slash) and a path that starts with '/'.
std::string join_url(std::string_view base, std::string_view path);

}  // namespace crm::storage
