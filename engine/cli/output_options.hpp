#pragma once
// -q/--quiet, -v/--verbose and --no-progress: how much a command prints, shared by every
// command like DbOptions and StorageOptions.
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

namespace crm::cli {

struct OutputOptions {
  bool quiet = false;        // only errors, problems and the final result
  bool verbose = false;      // also the server's notices and, on failure, the error's code
  bool no_progress = false;  // no progress lines (logs that want only the outcome)

  void add_to(CLI::App& cmd);
  bool show_progress() const { return !quiet && !no_progress; }
};

// What --quiet lets through of the human lines written to it: problem lines (they start with
// "✗", "⚠", "error" or "warning", after any indentation) and a question, i.e. text flushed
// without its newline (the restore prompt). Everything else is dropped.
class QuietLines : public std::streambuf {
 public:
  explicit QuietLines(std::ostream& to) : to_(to) {}
  ~QuietLines() override;

 protected:
  int overflow(int ch) override;
  int sync() override;

 private:
  void end_line();
  std::ostream& to_;
  std::string line_;
};

// The stream a command writes its human lines to: `to` itself, or `to` through QuietLines.
class HumanOutput {
 public:
  HumanOutput(std::ostream& to, bool quiet);
  std::ostream& stream() { return filtered_ ? *filtered_ : to_; }

 private:
  std::ostream& to_;
  std::unique_ptr<QuietLines> buf_;
  std::unique_ptr<std::ostream> filtered_;
};

}  // namespace crm::cli
