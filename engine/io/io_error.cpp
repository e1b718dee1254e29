#include "engine/io/io_error.hpp"

#include <cerrno>
#include <cstring>

namespace crm::engine {
namespace {

std::string disk_full_hint(std::string_view where) {
  return " (the disk is full: free space or choose another " + std::string(where) + ")";
}

}  // namespace

bool is_disk_full(int err) { return err == ENOSPC || err == EDQUOT; }

bool is_disk_full(const std::system_error& e) {
  return e.code().category() == std::generic_category() && is_disk_full(e.code().value());
}

IoError io_error(std::string_view what, const std::filesystem::path& p, int err, std::string_view where) {
  std::string msg = std::string(what) + " " + p.string() + ": " + std::strerror(err);
  if (is_disk_full(err)) msg += disk_full_hint(where);
  return IoError(err, std::move(msg));
}

IoError with_disk_full_hint(const std::system_error& e, std::string_view where) {
  std::string msg = e.what();
  if (is_disk_full(e)) msg += disk_full_hint(where);
  return IoError(e.code().value(), std::move(msg));
}

}  // namespace crm::engine
