#include "engine/io/progress.hpp"

#include "engine/format/human.hpp"

#include <unistd.h>

#include <fmt/format.h>

namespace crm::engine {

Progress::Progress(ProgressOptions opts, std::uint64_t total_bytes, std::uint64_t total_files)
    : opts_(std::move(opts)), total_bytes_(total_bytes), total_files_(total_files),
      start_(std::chrono::steady_clock::now()) {
  live_ = opts_.terminal < 0 ? ::isatty(opts_.fd) == 1 : opts_.terminal == 1;
  if (opts_.enabled) thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() { finish(); }

void Progress::set_totals(std::uint64_t total_bytes, std::uint64_t total_files) {
  total_bytes_ = total_bytes;
  total_files_ = total_files;
}

std::string Progress::format_bytes(std::uint64_t n) {
  double v = static_cast<double>(n);
  // Binary units, labelled as such like every size the tool prints (engine/format/human).
  if (v >= 1024.0 * 1024 * 1024) return fmt::format("{:.2f} GiB", v / (1024.0 * 1024 * 1024));
  if (v >= 1024.0 * 1024) return fmt::format("{:.2f} MiB", v / (1024.0 * 1024));
  if (v >= 1024.0) return fmt::format("{:.1f} KiB", v / 1024.0);
  return fmt::format("{} B", n);
}

std::string Progress::format_duration(double s) {
  auto t = static_cast<std::uint64_t>(s + 0.5);
  if (t >= 3600) return fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
  return fmt::format("{}:{:02}", t / 60, t % 60);
}

std::string Progress::render() const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::uint64_t b = bytes_.load(), f = files_.load(), tb = total_bytes_.load(), tf = total_files_.load();
  double rate = elapsed > 0 ? static_cast<double>(b) / elapsed : 0;
  std::string out = opts_.label + ": ";
  // Byte-only work (a table dump, a restore) has no files to count.
  if (f || tf) {
    out += format_count(f);
    if (tf) out += "/" + format_count(tf);
    out += " files, ";
  }
  out += format_bytes(b);
  if (tb) out += "/" + format_bytes(tb);
  out += ", " + format_bytes(static_cast<std::uint64_t>(rate)) + "/s";
  if (tb && rate > 0 && b < tb) out += ", ETA " + format_duration(static_cast<double>(tb - b) / rate);
  out += ", " + format_duration(elapsed) + " elapsed";
  return out;
}

void Progress::emit(bool final) {
  std::string line = render();
  if (live_) line = "\r\033[K" + line + (final ? "\n" : "");
  else line += "\n";
  ssize_t rc = ::write(opts_.fd, line.data(), line.size());
  (void)rc;  // progress is best effort: a closed stderr must not fail the backup
}

void Progress::loop() {
  auto interval = live_ ? opts_.live_interval : opts_.plain_interval;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval, [this] { return stop_; })) emit(false);
}

void Progress::finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (opts_.enabled) emit(true);
}

}  // namespace crm::engine
