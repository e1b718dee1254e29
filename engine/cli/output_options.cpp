#include "engine/cli/output_options.hpp"

#include <string_view>

namespace crm::cli {

void OutputOptions::add_to(CLI::App& cmd) {
  auto* q = cmd.add_flag("-q,--quiet", quiet, "print only errors, problems and the final result");
  auto* v = cmd.add_flag("-v,--verbose", verbose,
                         "also print the database server's notices (restore) and, on failure, the error's code");
  q->excludes(v);
  cmd.add_flag("--no-progress", no_progress, "no progress lines (bytes, rate, ETA); the other lines stay");
}

namespace {
bool is_problem_line(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t' || line.front() == '\n')) line.remove_prefix(1);
  for (std::string_view mark : {"\u2717", "\u26A0", "error", "warning", "Error", "Warning"})
    if (line.starts_with(mark)) return true;
  return false;
}
}  // namespace

QuietLines::~QuietLines() { sync(); }

int QuietLines::overflow(int ch) {
  if (ch == traits_type::eof()) return traits_type::not_eof(ch);
  line_.push_back(static_cast<char>(ch));
  if (ch == '\n') end_line();
  return ch;
}

void QuietLines::end_line() {
  if (is_problem_line(line_)) to_ << line_;
  line_.clear();
}

int QuietLines::sync() {
  // Text flushed before its newline is a question waiting for an answer: show it.
  if (!line_.empty()) {
    to_ << line_;
    line_.clear();
  }
  to_.flush();
  return 0;
}

HumanOutput::HumanOutput(std::ostream& to, bool quiet) : to_(to) {
  if (!quiet) return;
  buf_ = std::make_unique<QuietLines>(to);
  filtered_ = std::make_unique<std::ostream>(buf_.get());
}

}  // namespace crm::cli
