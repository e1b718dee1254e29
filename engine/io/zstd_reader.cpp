#include "engine/io/zstd_reader.hpp"

#include <zstd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace crm::engine {

ZstdReader::ZstdReader(std::unique_ptr<pg::ByteSource> compressed, std::string name)
    : in_(std::move(compressed)), name_(std::move(name)), dctx_(ZSTD_createDCtx()) {
  if (!dctx_) throw std::bad_alloc();
  inbuf_.resize(ZSTD_DStreamInSize());
}

ZstdReader::~ZstdReader() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_)); }

size_t ZstdReader::read(char* buf, size_t cap) {
  auto* dctx = static_cast<ZSTD_DCtx*>(dctx_);
  ZSTD_outBuffer out{buf, cap, 0};
  for (;;) {
    if (in_pos_ == in_size_ && !in_eof_) {
      in_size_ = in_->read(inbuf_.data(), inbuf_.size());
      in_pos_ = 0;
      if (in_size_ == 0) in_eof_ = true;
    }
    // Called even with no input left: the decoder may still hold output from a full buffer.
    ZSTD_inBuffer in{inbuf_.data(), in_size_, in_pos_};
    size_t rc = ZSTD_decompressStream(dctx, &out, &in);
    bool moved = in.pos != in_pos_ || out.pos > 0;
    in_pos_ = in.pos;
    if (ZSTD_isError(rc)) throw std::runtime_error(name_ + ": corrupt zstd data: " + ZSTD_getErrorName(rc));
    // rc is 0 exactly when a frame is complete; with nothing consumed it says nothing.
    if (moved) frame_open_ = rc != 0;
    if (out.pos > 0) return out.pos;
    if (in_pos_ == in_size_ && in_eof_) {
      // A frame cut short means a truncated file, never a short script taken for whole.
      if (frame_open_) throw std::runtime_error(name_ + ": the zstd stream is truncated (is the file complete?)");
      return 0;
    }
  }
}

std::unique_ptr<pg::ByteSource> open_script_source(const std::string& path) {
  unsigned char magic[4] = {0, 0, 0, 0};
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    f.read(reinterpret_cast<char*>(magic), 4);
  }
  auto file = std::make_unique<pg::FileSource>(path);
  if (magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD)
    return std::make_unique<ZstdReader>(std::move(file), path);
  return file;
}

}  // namespace crm::engine
