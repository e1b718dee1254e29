// The option groups the commands share: --json (json_option) and where a set named on the
// command line is read (repo_option).
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "engine/cli/json_option.hpp"
#include "engine/cli/repo_option.hpp"
#include "tests/support/cli_env.hpp"

using crm::cli::JsonOption;
using crm::cli::RepoOption;

TEST(JsonOption, TheFlagSwitchesTheReportTheHumanLinesAndTheErrorShape) {
  for (bool given : {false, true}) {
    SCOPED_TRACE(given);
    CLI::App app;
    JsonOption json;
    json.add_to(*app.add_subcommand("list"), "print one JSON document instead of text");
    std::vector<std::string> args{"list"};
    if (given) args.insert(args.begin(), std::string(JsonOption::kFlag));  // CLI11 takes them reversed
    app.parse(args);
    EXPECT_EQ(json.enabled, given);
    EXPECT_EQ(static_cast<bool>(json), given);
    // Under --json standard output holds only the JSON: the human lines go to standard error.
    EXPECT_EQ(&json.human_lines(), given ? &std::cerr : &std::cout);
    crm::cli::Registry reg;
    reg.json = !given;
    json.hand_to(reg);
    EXPECT_EQ(reg.json, given);
  }
}

TEST(JsonOption, EveryCommandGetsTheSameFlagWithItsOwnHelp) {
  CLI::App app;
  JsonOption a, b;
  a.add_to(*app.add_subcommand("backup"), "print a JSON summary on stdout");
  b.add_to(*app.add_subcommand("list"), "print one JSON document instead of text");
  const CLI::Option* backup_flag = app.get_subcommand("backup")->get_option(std::string(JsonOption::kFlag));
  const CLI::Option* list_flag = app.get_subcommand("list")->get_option(std::string(JsonOption::kFlag));
  EXPECT_EQ(backup_flag->get_description(), "print a JSON summary on stdout");
  EXPECT_EQ(list_flag->get_description(), "print one JSON document instead of text");
}

TEST(RepoOption, APathIsReadWhereItIsUnlessRepoNamesARepository) {
  crm::testsupport::TempFolder folder;
  RepoOption by_dir;
  by_dir.backup_dir = folder.path;
  // A prefix is looked up in the repository the flags name.
  auto for_prefix = by_dir.open_for_set("backup-2024-01-15-143022");
  ASSERT_NE(for_prefix, nullptr);
  EXPECT_TRUE(for_prefix->is_folder());
  EXPECT_EQ(std::filesystem::path(for_prefix->display()), std::filesystem::path(folder.path));
  // A path (it has a '/') is read where it is: no repository, the runner reads the folder.
  EXPECT_EQ(by_dir.open_for_set(folder.path + "/backup-2024-01-15-143022"), nullptr);
  // ... unless --repo names one.
  RepoOption by_repo;
  by_repo.repo = folder.path;
  auto for_path = by_repo.open_for_set(folder.path + "/backup-2024-01-15-143022");
  ASSERT_NE(for_path, nullptr);
  EXPECT_EQ(std::filesystem::path(for_path->display()), std::filesystem::path(folder.path));
}
