// TransformWorkers: a transform run off the calling thread keeps each stream's bytes in order,
// hands errors back as thrown, never lets an old attempt write after it is gone, and bounds the
// bytes waiting for a worker.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <string>
#include <system_error>
#include <thread>

#include "engine/attachments/offloaded_transform.hpp"

using crm::engine::TransformWorkers;
using crm::storage::BodyTransform;

namespace {

// Upper-cases what it receives into `out` (so a test sees the transform ran), optionally slowly,
// optionally failing after some bytes; records the thread it wrote on.
class Recorder final : public BodyTransform {
 public:
  Recorder(std::string& out, std::atomic<bool>& finished, std::size_t fail_after = SIZE_MAX,
           std::chrono::microseconds delay = {})
      : out_(out), finished_(finished), fail_after_(fail_after), delay_(delay) {}
  void write(std::string_view received) override {
    std::this_thread::sleep_for(delay_);
    writer_ = std::this_thread::get_id();
    if (out_.size() + received.size() > fail_after_) throw std::system_error(ENOSPC, std::generic_category(), "disk full");
    for (char c : received) out_.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
  }
  void finish() override { finished_ = true; }
  std::thread::id writer_;

 private:
  std::string& out_;
  std::atomic<bool>& finished_;
  std::size_t fail_after_;
  std::chrono::microseconds delay_;
};

std::string pattern(std::size_t n, int seed) {
  std::string s(n, 'a');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
  return s;
}

}  // namespace

TEST(TransformWorkers, ManyStreamsEachKeepTheirBytesInOrderAndFinishAfterTheirLastByte) {
  TransformWorkers workers(3, 1 << 20);
  constexpr int kStreams = 12;
  std::string outs[kStreams];
  std::atomic<bool> finished[kStreams];
  std::vector<std::unique_ptr<BodyTransform>> ts;
  for (int i = 0; i < kStreams; ++i) {
    finished[i] = false;
    ts.push_back(workers.offload(std::make_unique<Recorder>(outs[i], finished[i])));
  }
  const std::string body = pattern(3 * 1000 * 1000 + 17, 0);
  // Interleaved pieces of odd sizes, as a transfer loop serving many sockets hands them over.
  for (std::size_t off = 0; off < body.size(); off += 16381)
    for (int i = 0; i < kStreams; ++i) ts[i]->write(std::string_view(body).substr(off, 16381));
  for (int i = 0; i < kStreams; ++i) {
    ts[i]->finish();
    EXPECT_TRUE(finished[i]);
    ASSERT_EQ(outs[i].size(), body.size()) << "stream " << i;
    std::string upper = body;
    for (auto& c : upper) c = static_cast<char>(c - 32);
    EXPECT_EQ(outs[i], upper) << "stream " << i << " lost its order";
  }
}

TEST(TransformWorkers, TheWritesRunOnAWorkerNotOnTheCaller) {
  TransformWorkers workers(1);
  std::string out;
  std::atomic<bool> finished{false};
  auto inner = std::make_unique<Recorder>(out, finished);
  Recorder* raw = inner.get();
  auto t = workers.offload(std::move(inner));
  t->write(pattern(1 << 20, 1));
  t->finish();
  EXPECT_NE(raw->writer_, std::thread::id());
  EXPECT_NE(raw->writer_, std::this_thread::get_id());
}

TEST(TransformWorkers, AWriteErrorComesBackAsThrownWithItsErrnoAndStopsTheStream) {
  TransformWorkers workers(2);
  std::string out;
  std::atomic<bool> finished{false};
  auto t = workers.offload(std::make_unique<Recorder>(out, finished, 600 * 1024));
  int code = 0;
  try {
    for (int i = 0; i < 64; ++i) t->write(pattern(64 * 1024, i));
    t->finish();
  } catch (const std::system_error& e) {
    code = e.code().value();
  }
  EXPECT_EQ(code, ENOSPC);
  EXPECT_FALSE(finished) << "finish() reached the transform after its write failed";
  EXPECT_LE(out.size(), 600u * 1024);
}

TEST(TransformWorkers, DestroyingAnUnfinishedStreamWaitsUntilItsWorkerStoppedWriting) {
  TransformWorkers workers(1);
  std::string out;
  std::atomic<bool> finished{false};
  {
    auto t = workers.offload(std::make_unique<Recorder>(out, finished, SIZE_MAX, std::chrono::milliseconds(20)));
    for (int i = 0; i < 4; ++i) t->write(pattern(300 * 1024, i));
    // Dropped without finish(), as a failed attempt is before its retry starts a new file.
  }
  // Every batch handed over was written before the destructor returned; nothing runs later.
  const std::size_t after_destroy = out.size();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(out.size(), after_destroy);
  EXPECT_GE(after_destroy, 1200u * 1024 - 256 * 1024) << "batches were dropped instead of written";
  EXPECT_FALSE(finished);
}

TEST(TransformWorkers, TheCallerWaitsWhileTheWaitingBytesAreAtTheirBound) {
  // 1 MiB bound, a worker writing 256 KiB batches at 50 ms each: 4 MiB cannot be handed over in
  // less than (4 MiB - bound) / rate, so the caller must have waited.
  TransformWorkers workers(1, 1 << 20);
  std::string out;
  std::atomic<bool> finished{false};
  auto t = workers.offload(std::make_unique<Recorder>(out, finished, SIZE_MAX, std::chrono::milliseconds(50)));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 16; ++i) t->write(pattern(256 * 1024, i));
  const auto handed_over = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(handed_over, std::chrono::milliseconds(8 * 50)) << "4 MiB were queued past a 1 MiB bound";
  t->finish();
  EXPECT_EQ(out.size(), 4u << 20);
}
