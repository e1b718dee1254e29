// Parsing Storage listings (list-v2 pages of 1000, v1 pages of 100) with simdjson, and the
// per-object URL and path work of a backup. Run: build/bench/crm_micro_bench --benchmark_filter=Storage
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "engine/backupset/path_safety.hpp"
#include "storage-api/listing.hpp"
#include "storage-api/url.hpp"

namespace {

std::string object_json(int i) {
  return fmt::format(
      R"({{"name":"contacts/{}/sub{}/invoice {} (copy) + ünï.pdf","id":"5f0c1a2b-0000-4000-8000-{:012}",)"
      R"("updated_at":"2024-01-15T14:30:22.123Z","created_at":"2024-01-15T14:30:22.123Z","last_accessed_at":"2024-01-15T14:30:22.123Z",)"
      R"("metadata":{{"eTag":"\"8aaf35b4e9f4b9a63fbc278972cb848e\"","size":{},"mimetype":"application/pdf",)"
      R"("cacheControl":"max-age=3600","lastModified":"2024-01-15T14:30:22.123Z","contentLength":{},"httpStatusCode":200}}}})",
      i % 97, i % 3, i, i, 1000 + i * 37, 1000 + i * 37);
}

std::string v2_page(int n) {
  std::string out = R"({"hasNext":true,"nextCursor":"Y29udGFjdHMvOTk5","folders":[],"objects":[)";
  for (int i = 0; i < n; ++i) out += (i ? "," : "") + object_json(i);
  return out + "]}";
}

std::string v1_page(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    if (i) out += ",";
    if (i % 10 == 0) {
      out += fmt::format(R"({{"name":"folder {}","id":null,"updated_at":null,"created_at":null,"last_accessed_at":null,"metadata":null}})", i);
    } else {
      out += object_json(i);
    }
  }
  return out + "]";
}

void BM_StorageParseListV2Page(benchmark::State& state) {
  std::string page = v2_page(static_cast<int>(state.range(0)));
  std::size_t n = 0;
  for (auto _ : state) {
    auto p = crm::storage::parse_list_v2(page);
    n += p.objects.size();
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.SetBytesProcessed(static_cast<std::int64_t>(page.size() * state.iterations()));
}
BENCHMARK(BM_StorageParseListV2Page)->Arg(1000);

void BM_StorageParseListV1Page(benchmark::State& state) {
  std::string page = v1_page(static_cast<int>(state.range(0)));
  std::size_t n = 0;
  for (auto _ : state) {
    auto p = crm::storage::parse_list_v1(page);
    n += p.size();
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_StorageParseListV1Page)->Arg(100);

void BM_StorageEncodeObjectPath(benchmark::State& state) {
  const std::string name = "contacts/1234/sub 2/a+b&c;d=e!f?g$h*i@j:k,l'm(n) ünïcödé #1.pdf";
  for (auto _ : state) benchmark::DoNotOptimize(crm::storage::encode_object_path(name));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StorageEncodeObjectPath);

void BM_StorageCheckLocalPath(benchmark::State& state) {
  const std::string name = "contacts/1234/sub 2/a+b&c;d=e!f?g$h*i@j:k,l'm(n) ünïcödé #1.pdf";
  const std::filesystem::path root = "/var/backups/crm/backup-2024-01-15-143022-attachments";
  for (auto _ : state) benchmark::DoNotOptimize(crm::engine::local_path_for(root, name));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StorageCheckLocalPath);

}  // namespace
