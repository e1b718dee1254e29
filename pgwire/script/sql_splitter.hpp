#pragma once
// Splits a pg_dump-style SQL script into what psql would send: statements (ended by a ';'
// outside quotes, comments, parentheses and BEGIN ... END bodies of SQL functions), the data
// of `COPY ... FROM stdin;` up to its `\.` line, and psql meta-commands. It pulls the script
// from a ByteSource piece by piece: memory holds one statement or one chunk of COPY data,
// never the file. Assumes standard_conforming_strings = on, as pg_dump's output sets it.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/script/byte_source.hpp"

namespace crm::pg {

// The script cannot be split: unterminated quote, dollar quote or comment, a COPY block
// without its "\." line, a statement cut off by the end of the file, an unsupported psql
// meta-command. The message starts with "file:line: ".
class ScriptError : public std::runtime_error {
 public:
  ScriptError(const std::string& file, std::uint64_t line, const std::string& what);
  const std::string& file() const { return file_; }
  std::uint64_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::uint64_t line_;
  std::string reason_;
};

struct ScriptEvent {
  enum class Kind {
    kStatement,  // text: the statement up to and including its ';'
    kCopyData,   // text: the next bytes of COPY data (whole lines unless a line is huge)
    kCopyEnd,    // the "\." line; line: its line number
    kConnect,    // \connect DB or \c DB; text: the database name
  };
  Kind kind = Kind::kStatement;
  std::string_view text;   // valid until the next call to next()
  std::uint64_t line = 0;  // 1-based line where the statement/data/command starts
  bool copy_from_stdin = false;  // kStatement: COPY ... FROM stdin, data events follow
};

class SqlSplitter {
 public:
  SqlSplitter(ByteSource& source, std::string file_name);
  // Next event, or false at the end of the script. Throws ScriptError.
  bool next(ScriptEvent& ev);
  const std::string& file_name() const { return file_; }
  // psql meta-commands that are accepted and ignored (\restrict, \unrestrict, \set ON_ERROR_STOP).
  std::uint64_t ignored_meta_commands() const { return ignored_meta_; }

  // Longest piece of one COPY line held in memory before it is passed on in parts.
  static constexpr size_t kMaxCopyPiece = 1 << 20;

 private:
  enum class Lex { kNormal, kSingle, kEscape, kDouble, kDollar, kLineComment, kBlockComment };

  bool fill();
  bool next_statement(ScriptEvent& ev);
  bool next_copy(ScriptEvent& ev);
  void reset_statement();
  void end_word();
  bool handle_meta_line(std::string_view line, std::uint64_t line_no, ScriptEvent& ev);
  [[noreturn]] void fail(std::uint64_t line, const std::string& what) const;

  ByteSource& src_;
  std::string file_;
  std::string buf_;
  std::string read_buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  std::uint64_t line_ = 1;

  // Statement lexer.
  Lex lex_ = Lex::kNormal;
  std::uint64_t lex_line_ = 0;  // where the open quote/comment started
  bool in_stmt_ = false;
  size_t stmt_begin_ = 0;
  std::uint64_t stmt_line_ = 0;
  int paren_depth_ = 0;
  int begin_depth_ = 0;
  int block_depth_ = 0;
  std::string dollar_tag_;
  std::string word_;
  std::string prev_word_;
  std::vector<std::string> first_words_;
  bool copy_stdin_ = false;
  std::string stmt_text_;

  // COPY data.
  bool in_copy_ = false;
  bool copy_mid_line_ = false;
  std::uint64_t copy_line_ = 0;
  std::uint64_t ignored_meta_ = 0;
  std::string meta_arg_;
};

}  // namespace crm::pg
