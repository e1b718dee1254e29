#include "engine/cli/jobs_option.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/data/data_dump.hpp"

TEST(JobsOption, BackupAndDumpDataShareOneRangeAndOneDefault) {
  for (const char* sub : {"backup", "data"}) {
    SCOPED_TRACE(sub);
    CLI::App app;
    unsigned jobs = 0;
    crm::cli::add_jobs_option(*app.add_subcommand(sub), jobs);
    EXPECT_NO_THROW(app.parse(std::vector<std::string>{"64", "--jobs", sub}));  // CLI11 takes them reversed
    EXPECT_EQ(jobs, 64u);
    for (const char* bad : {"0", "65", "-1", "two"}) {
      SCOPED_TRACE(bad);
      EXPECT_THROW(app.parse(std::vector<std::string>{bad, "--jobs", sub}), CLI::ParseError);
    }
    jobs = 0;
    EXPECT_NO_THROW(app.parse(std::vector<std::string>{"3", "-j", sub}));
    EXPECT_EQ(jobs, 3u);
  }
  EXPECT_GE(crm::engine::default_dump_jobs(), 2u);
}
