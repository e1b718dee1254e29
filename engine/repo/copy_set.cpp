#include "engine/repo/copy_set.hpp"

#include <stdexcept>

#include "engine/backupset/path_safety.hpp"
#include "engine/io/sink.hpp"

namespace crm::engine::repo {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunk = 1u << 20;

// Streams one part of the source into dest and checks it against what the manifest recorded.
std::uint64_t stage_part(Repository& source, const SetInfo& set, const std::string& name, const fs::path& dest,
                         std::uint64_t size, const std::string& xxh3_128) {
  auto reader = source.open_part(set, name);
  AtomicFile f(dest);
  std::string buf(kChunk, '\0');
  for (std::size_t n; (n = reader->read(buf.data(), buf.size())) > 0;) f.write(std::string_view(buf.data(), n));
  if (f.bytes() != size || f.hash_hex() != xxh3_128)
    throw std::runtime_error(name + " in " + source.display() + " does not match its manifest (" +
                             std::to_string(f.bytes()) + " bytes, XXH3-128 " + f.hash_hex() + "; the manifest says " +
                             std::to_string(size) + " bytes, " + xxh3_128 + "): run verify on that backup");
  f.commit();
  return size;
}

}  // namespace

SetCopyStats copy_set(Repository& source, const SetInfo& set, SetReservation& writer,
                      const std::function<void()>& check_interrupted) {
  if (!set.manifest) throw std::runtime_error(set.name.prefix + " in " + source.display() + " has no manifest");
  const std::string& prefix = set.name.prefix;
  // The staging folder names parts without the prefix ("roles.sql"), as a backup writes them.
  const std::string lead = prefix + "-";
  SetCopyStats stats;
  for (const auto& file : set.manifest->files) {
    if (file.name.rfind(lead, 0) != 0)
      throw std::runtime_error("the manifest of " + prefix + " lists " + file.name + ", which is not one of its files");
    check_interrupted();
    stats.bytes += stage_part(source, set, file.name, writer.staging_path(file.name.substr(lead.size())), file.size,
                              file.xxh3_128);
    ++stats.files;
  }
  if (set.manifest->attachments_included) {
    const fs::path root = writer.staging_path("attachments");
    create_private_directory(root);
    for (const auto& ob : set.manifest->objects) {
      if (!writer.needs_attachment_bytes(ob)) {
        ++stats.attachments_skipped;
        continue;
      }
      check_interrupted();
      fs::path dest = local_path_for(root, ob.path);
      create_private_directory(dest.parent_path());
      stats.bytes += stage_part(source, set, lead + "attachments/" + ob.path, dest, ob.size, ob.xxh3_128);
      ++stats.files;
    }
  }
  // The layout is the target's to record: its commit adds what it uses.
  Manifest manifest = *set.manifest;
  manifest.options.erase("attachments_layout");
  check_interrupted();
  writer.commit(manifest);
  return stats;
}

}  // namespace crm::engine::repo
