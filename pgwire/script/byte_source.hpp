#pragma once
// Where a SQL script's bytes come from: a file, memory, or (engine/io) a zstd decompressor.
// The splitter pulls from it in pieces, so a script is never loaded whole.
#include <cstddef>
#include <string>
#include <string_view>

namespace crm::pg {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to cap bytes; returns 0 only at the end. Throws (naming the source) on errors.
  virtual size_t read(char* buf, size_t cap) = 0;
};

class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  size_t read(char* buf, size_t cap) override;

 private:
  std::string path_;
  int fd_ = -1;
};

// Serves a string in pieces of at most max_piece bytes (tests feed 1 byte at a time).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data, size_t max_piece = static_cast<size_t>(-1))
      : data_(data), max_piece_(max_piece ? max_piece : 1) {}
  size_t read(char* buf, size_t cap) override;

 private:
  std::string_view data_;
  size_t max_piece_;
};

}  // namespace crm::pg
