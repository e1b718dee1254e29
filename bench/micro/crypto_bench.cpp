// Encryption at rest on the hot path: secretstream encryption and decryption of a part at the
// default 64 KiB chunks, and zstd -3 followed by encryption (what an encrypted data.sql.zst
// costs) next to BM_ZstdCompress of hash_compress_bench.cpp. Bytes are plaintext bytes.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include "crypto/encrypted_stream.hpp"
#include "engine/io/encrypting_sink.hpp"
#include "engine/io/sink.hpp"

namespace {

constexpr std::size_t kPieceBytes = 1 << 20;  // the size the dumpers hand to a Sink

std::string random_payload(std::size_t bytes) {
  std::mt19937_64 rng(7);
  std::string out(bytes, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

// Same shape as hash_compress_bench's COPY-like payload, so the zstd ratio is comparable.
std::string copy_like_payload(std::size_t bytes) {
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(bytes + 256);
  const char* names[] = {"Acme Corp", "Jane O'Neil", "Zoë Ünïcode", "日本語テキスト", "Backslash \\\\ here"};
  for (std::uint64_t i = 0; out.size() < bytes; ++i) {
    out += std::to_string(i) + "\t" + names[rng() % 5] + "\t2024-01-" + std::to_string(10 + rng() % 18) +
           " 12:34:56+00\t{\"email\": \"user" + std::to_string(rng() % 100000) + "@example.com\", \"type\": \"Work\"}\n";
  }
  return out;
}

class NullSink final : public crm::engine::Sink {
 public:
  void write(std::string_view b) override { bytes += b.size(); }
  std::size_t bytes = 0;
};

void BM_Encrypt(benchmark::State& state) {
  auto key = crm::crypto::DataKey::generate();
  std::string data = random_payload(16 << 20);
  for (auto _ : state) {
    NullSink sink;
    crm::engine::EncryptingSink enc(sink, key, "set/attachments/blob");
    for (std::size_t off = 0; off < data.size(); off += kPieceBytes) enc.write(std::string_view(data).substr(off, kPieceBytes));
    enc.finish();
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_Encrypt)->Unit(benchmark::kMillisecond);

void BM_Decrypt(benchmark::State& state) {
  auto key = crm::crypto::DataKey::generate();
  std::string plain = random_payload(16 << 20);
  std::string cipher = crm::crypto::encrypt_buffer(key, "set/attachments/blob", plain);
  std::string buf(kPieceBytes, '\0');
  for (auto _ : state) {
    std::string_view rest = cipher;
    crm::crypto::StreamDecryptor dec(key, "set/attachments/blob", "bench", [&rest](char* b, std::size_t cap) {
      std::size_t n = std::min(cap, rest.size());
      std::memcpy(b, rest.data(), n);
      rest.remove_prefix(n);
      return n;
    });
    std::size_t total = 0;
    while (std::size_t n = dec.read(buf.data(), buf.size())) total += n;
    if (total != plain.size()) state.SkipWithError("decrypted size differs");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(plain.size()));
}
BENCHMARK(BM_Decrypt)->Unit(benchmark::kMillisecond);

void BM_ZstdThenEncrypt(benchmark::State& state) {
  auto key = crm::crypto::DataKey::generate();
  std::string data = copy_like_payload(16 << 20);
  for (auto _ : state) {
    NullSink sink;
    crm::engine::EncryptingSink enc(sink, key, "set/data.sql");
    crm::engine::ZstdSink z(enc, static_cast<int>(state.range(0)));
    for (std::size_t off = 0; off < data.size(); off += kPieceBytes) z.write(std::string_view(data).substr(off, kPieceBytes));
    z.finish();
    enc.finish();
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_ZstdThenEncrypt)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond);

}  // namespace
