// Hot paths that every byte of a backup goes through: XXH3-128 and zstd at the offered levels.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "engine/io/hash.hpp"
#include "engine/io/sink.hpp"

namespace {

// COPY-like text: ids, names, timestamps, jsonb; compressible like a real data.sql.
std::string copy_like_payload(size_t bytes) {
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

void BM_Xxh3_128(benchmark::State& state) {
  std::string data = copy_like_payload(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    crm::engine::Xxh3Hasher h;
    h.update(data);
    benchmark::DoNotOptimize(h.hex());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_Xxh3_128)->Arg(1 << 20)->Arg(16 << 20);

class NullSink final : public crm::engine::Sink {
 public:
  void write(std::string_view b) override { bytes += b.size(); }
  size_t bytes = 0;
};

void BM_ZstdCompress(benchmark::State& state) {
  std::string data = copy_like_payload(16 << 20);
  size_t out_bytes = 0;
  for (auto _ : state) {
    NullSink sink;
    crm::engine::ZstdSink z(sink, static_cast<int>(state.range(0)));
    for (size_t off = 0; off < data.size(); off += 1 << 20) z.write(std::string_view(data).substr(off, 1 << 20));
    z.finish();
    out_bytes = sink.bytes;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(data.size()));
  state.counters["ratio"] = static_cast<double>(data.size()) / static_cast<double>(out_bytes);
}
BENCHMARK(BM_ZstdCompress)->Arg(1)->Arg(3)->Arg(9)->Unit(benchmark::kMillisecond);

}  // namespace
