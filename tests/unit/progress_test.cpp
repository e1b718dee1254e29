#include "engine/io/progress.hpp"

#include "engine/format/human.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>
#include <vector>

using namespace crm::engine;

TEST(Progress, FormatsSizesCountsAndDurations) {
  EXPECT_EQ(format_count(33000), "33,000");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(Progress::format_bytes(12ULL << 30), "12.00 GiB");
  EXPECT_EQ(Progress::format_bytes(3ULL << 20), "3.00 MiB");
  EXPECT_EQ(Progress::format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(Progress::format_duration(75), "1:15");
  EXPECT_EQ(Progress::format_duration(3725), "1:02:05");
}

TEST(Progress, CountsFromManyThreadsAndPrintsPlainLinesWhenNotATerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    ProgressOptions o;
    o.label = "attachments";
    o.fd = fds[1];
    o.terminal = 0;
    o.plain_interval = std::chrono::milliseconds(20);
    Progress p(o, 4000, 400);
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&] {
        for (int i = 0; i < 100; ++i) {
          p.add_bytes(10);
          p.add_files();
        }
      });
    for (auto& t : ts) t.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    p.finish();
    EXPECT_EQ(p.files(), 400u);
    EXPECT_EQ(p.bytes(), 4000u);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_GE(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_NE(out.find("attachments: 400/400 files"), std::string::npos) << out;
}
