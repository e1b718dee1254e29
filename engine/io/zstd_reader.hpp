#pragma once
// Reading SQL scripts that may be zstd-compressed (data.sql.zst): ZstdReader decompresses a
// byte source as it is read (any number of concatenated frames), so the script executor and
// verify stream it without a temporary file or the whole file in memory.
#include <memory>
#include <string>

#include "pgwire/script/byte_source.hpp"

namespace crm::engine {

class ZstdReader final : public pg::ByteSource {
 public:
  // name is used in error messages (the file's path).
  ZstdReader(std::unique_ptr<pg::ByteSource> compressed, std::string name);
  ~ZstdReader() override;
  ZstdReader(const ZstdReader&) = delete;
  ZstdReader& operator=(const ZstdReader&) = delete;
  size_t read(char* buf, size_t cap) override;

 private:
  std::unique_ptr<pg::ByteSource> in_;
  std::string name_;
  void* dctx_;
  std::string inbuf_;
  size_t in_pos_ = 0;
  size_t in_size_ = 0;
  bool in_eof_ = false;
  bool frame_open_ = false;  // inside a frame that has not ended yet
};

// Opens a script file, decompressing when it starts with the zstd magic number.
std::unique_ptr<pg::ByteSource> open_script_source(const std::string& path);

}  // namespace crm::engine
