#include "pgwire/script/sql_splitter.hpp"

#include <cctype>
#include <cstring>

namespace crm::pg {
namespace {

constexpr size_t kReadBytes = 256 * 1024;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_ident_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}

bool is_ident_char(char c) { return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

const char* lex_name(int lex) {
  switch (lex) {
    case 1: return "quoted string ('...')";
    case 2: return "escape string (E'...')";
    case 3: return "quoted identifier (\"...\")";
    case 4: return "dollar-quoted string";
    case 6: return "block comment (/* ... */)";
    default: return "token";
  }
}

// One psql meta-command argument: 'single' or "double" quoted, or bare up to whitespace.
std::string take_meta_arg(std::string_view& rest) {
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  std::string out;
  if (rest.empty()) return out;
  char q = rest.front();
  if (q == '\'' || q == '"') {
    rest.remove_prefix(1);
    while (!rest.empty()) {
      char c = rest.front();
      rest.remove_prefix(1);
      if (c == q) {
        if (!rest.empty() && rest.front() == q) {
          out += q;
          rest.remove_prefix(1);
          continue;
        }
        break;
      }
      if (q == '\'' && c == '\\' && !rest.empty()) {
        out += rest.front();
        rest.remove_prefix(1);
        continue;
      }
      out += c;
    }
    return out;
  }
  while (!rest.empty() && !is_space(rest.front())) {
    out += rest.front();
    rest.remove_prefix(1);
  }
  return out;
}

// dbname from a conninfo string "dbname='x' host=..." (what pg_dump writes after \connect
// -reuse-previous=on), or the argument itself when it is a plain name.
std::string database_from_connect_arg(const std::string& arg) {
  if (arg.find('=') == std::string::npos) return arg;
  std::string_view rest(arg);
  while (!rest.empty()) {
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    std::string key(rest.substr(0, eq));
    while (!key.empty() && is_space(key.back())) key.pop_back();
    rest.remove_prefix(eq + 1);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    std::string value;
    if (!rest.empty() && rest.front() == '\'') {
      rest.remove_prefix(1);
      while (!rest.empty() && rest.front() != '\'') {
        if (rest.front() == '\\' && rest.size() > 1) rest.remove_prefix(1);
        value += rest.front();
        rest.remove_prefix(1);
      }
      if (!rest.empty()) rest.remove_prefix(1);
    } else {
      while (!rest.empty() && !is_space(rest.front())) {
        value += rest.front();
        rest.remove_prefix(1);
      }
    }
    if (key == "dbname") return value;
  }
  return {};
}

}  // namespace

ScriptError::ScriptError(const std::string& file, std::uint64_t line, const std::string& what)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + what), file_(file), line_(line), reason_(what) {}

SqlSplitter::SqlSplitter(ByteSource& source, std::string file_name) : src_(source), file_(std::move(file_name)) {
  buf_.reserve(kReadBytes * 2);
}

void SqlSplitter::fail(std::uint64_t line, const std::string& what) const { throw ScriptError(file_, line, what); }

bool SqlSplitter::fill() {
  if (eof_) return false;
  // Keep only what is still needed: the statement being read, or the unread bytes.
  size_t keep_from = pos_;
  if (!in_copy_ && in_stmt_) keep_from = std::min(keep_from, stmt_begin_);
  if (keep_from > 0) {
    buf_.erase(0, keep_from);
    pos_ -= keep_from;
    if (in_stmt_) stmt_begin_ -= keep_from;
  }
  if (read_buf_.empty()) read_buf_.resize(kReadBytes);
  size_t n = src_.read(read_buf_.data(), read_buf_.size());
  buf_.append(read_buf_.data(), n);
  if (n == 0) eof_ = true;
  return n > 0;
}

bool SqlSplitter::next(ScriptEvent& ev) { return in_copy_ ? next_copy(ev) : next_statement(ev); }

void SqlSplitter::reset_statement() {
  in_stmt_ = false;
  paren_depth_ = 0;
  begin_depth_ = 0;
  word_.clear();
  prev_word_.clear();
  first_words_.clear();
  copy_stdin_ = false;
}

void SqlSplitter::end_word() {
  if (word_.empty()) return;
  if (first_words_.size() < 4) first_words_.push_back(word_);
  if (!first_words_.empty() && first_words_[0] == "copy" && prev_word_ == "from" && word_ == "stdin")
    copy_stdin_ = true;
  // psql's heuristic for SQL-standard function bodies (CREATE [OR REPLACE] FUNCTION|PROCEDURE
  // ... BEGIN ATOMIC ... END): semicolons inside BEGIN ... END do not end the statement.
  const auto& w = first_words_;
  bool routine = w.size() >= 2 && w[0] == "create" &&
                 (w[1] == "function" || w[1] == "procedure" ||
                  (w[1] == "or" && w.size() >= 4 && w[2] == "replace" && (w[3] == "function" || w[3] == "procedure")));
  if (routine && paren_depth_ == 0) {
    if (word_ == "begin") ++begin_depth_;
    else if (word_ == "case" && begin_depth_ > 0) ++begin_depth_;
    else if (word_ == "end" && begin_depth_ > 0) --begin_depth_;
  }
  prev_word_ = std::move(word_);
  word_.clear();
}

bool SqlSplitter::handle_meta_line(std::string_view line, std::uint64_t line_no, ScriptEvent& ev) {
  while (!line.empty() && (line.back() == '\r' || is_space(line.back()))) line.remove_suffix(1);
  std::string_view rest = line.substr(1);
  size_t end = 0;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  std::string cmd(rest.substr(0, end));
  rest.remove_prefix(end);
  if (cmd == "restrict" || cmd == "unrestrict") {
    ++ignored_meta_;
    return false;
  }
  if (cmd == "set") {
    std::string var = take_meta_arg(rest);
    if (var == "ON_ERROR_STOP") {
      ++ignored_meta_;
      return false;
    }
    fail(line_no, "psql meta-command \\set " + var + " is not supported (only \\set ON_ERROR_STOP is)");
  }
  if (cmd == "connect" || cmd == "c") {
    std::string arg = take_meta_arg(rest);
    while (!arg.empty() && arg[0] == '-') arg = take_meta_arg(rest);  // -reuse-previous=on
    meta_arg_ = database_from_connect_arg(arg);
    if (meta_arg_.empty()) fail(line_no, "\\" + cmd + " without a database name is not supported");
    ev.kind = ScriptEvent::Kind::kConnect;
    ev.text = meta_arg_;
    ev.line = line_no;
    ev.copy_from_stdin = false;
    return true;
  }
  std::string shown(line.substr(0, std::min<size_t>(line.size(), 60)));
  fail(line_no, "psql meta-command '" + shown +
                    "' is not supported (only \\restrict, \\unrestrict, \\connect to the same database "
                    "and \\set ON_ERROR_STOP are)");
}

bool SqlSplitter::next_statement(ScriptEvent& ev) {
  for (;;) {
    if (pos_ >= buf_.size()) {
      if (fill()) continue;
      // End of the script.
      if (lex_ != Lex::kNormal && lex_ != Lex::kLineComment)
        fail(lex_line_, std::string("unterminated ") + lex_name(static_cast<int>(lex_)) +
                            " at the end of the file (is the file truncated?)");
      if (in_stmt_)
        fail(stmt_line_, "statement does not end with ';' before the end of the file (is the file truncated?)");
      lex_ = Lex::kNormal;
      return false;
    }
    // Bytes available after pos_ (for one- and two-character lookahead).
    auto have = [&](size_t n) { return pos_ + n <= buf_.size(); };
    char c = buf_[pos_];
    switch (lex_) {
      case Lex::kLineComment: {
        const char* nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_));
        if (!nl) {
          pos_ = buf_.size();
          continue;
        }
        pos_ = static_cast<size_t>(nl - buf_.data());
        lex_ = Lex::kNormal;  // the newline itself is handled as whitespace
        continue;
      }
      case Lex::kBlockComment: {
        if ((c == '/' || c == '*') && !have(2) && fill()) continue;
        if (c == '/' && have(2) && buf_[pos_ + 1] == '*') {
          ++block_depth_;
          pos_ += 2;
        } else if (c == '*' && have(2) && buf_[pos_ + 1] == '/') {
          pos_ += 2;
          if (--block_depth_ == 0) lex_ = Lex::kNormal;
        } else {
          if (c == '\n') ++line_;
          ++pos_;
        }
        continue;
      }
      case Lex::kSingle:
      case Lex::kEscape:
      case Lex::kDouble: {
        char q = lex_ == Lex::kDouble ? '"' : '\'';
        if (lex_ == Lex::kEscape && c == '\\') {
          if (!have(2) && fill()) continue;
          if (have(2) && buf_[pos_ + 1] == '\n') ++line_;
          pos_ += have(2) ? 2 : 1;
          continue;
        }
        if (c == q) {
          if (!have(2) && fill()) continue;
          if (have(2) && buf_[pos_ + 1] == q) {
            pos_ += 2;  // doubled quote inside
          } else {
            ++pos_;
            lex_ = Lex::kNormal;
          }
          continue;
        }
        if (c == '\n') ++line_;
        ++pos_;
        continue;
      }
      case Lex::kDollar: {
        if (c == '$') {
          if (!have(dollar_tag_.size()) && fill()) continue;
          if (buf_.compare(pos_, dollar_tag_.size(), dollar_tag_) == 0) {
            pos_ += dollar_tag_.size();
            lex_ = Lex::kNormal;
            continue;
          }
        }
        if (c == '\n') ++line_;
        ++pos_;
        continue;
      }
      case Lex::kNormal:
        break;
    }

    // Normal text.
    if (is_space(c)) {
      end_word();
      if (c == '\n') ++line_;
      ++pos_;
      continue;
    }
    if ((c == '-' || c == '/') && !have(2) && fill()) continue;
    if (c == '-' && have(2) && buf_[pos_ + 1] == '-') {
      end_word();
      lex_ = Lex::kLineComment;
      pos_ += 2;
      continue;
    }
    if (c == '/' && have(2) && buf_[pos_ + 1] == '*') {
      end_word();
      lex_ = Lex::kBlockComment;
      lex_line_ = line_;
      block_depth_ = 1;
      pos_ += 2;
      continue;
    }
    if (c == '\\') {
      if (in_stmt_)
        fail(line_, "a backslash outside quotes inside a statement (psql meta-commands must start their own line)");
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_));
      if (!nl && fill()) continue;
      size_t end = nl ? static_cast<size_t>(nl - buf_.data()) : buf_.size();
      std::uint64_t meta_line = line_;
      std::string_view text(buf_.data() + pos_, end - pos_);
      bool emit = handle_meta_line(text, meta_line, ev);
      pos_ = nl ? end + 1 : end;
      if (nl) ++line_;
      if (emit) return true;
      continue;
    }
    if (!in_stmt_) {
      in_stmt_ = true;
      stmt_begin_ = pos_;
      stmt_line_ = line_;
    }
    if (is_ident_char(c) || (c == '$' && !word_.empty())) {
      if (word_.size() < 32) word_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ++pos_;
      continue;
    }
    bool escape_prefix = word_ == "e";
    end_word();
    switch (c) {
      case '\'':
        lex_ = escape_prefix ? Lex::kEscape : Lex::kSingle;
        lex_line_ = line_;
        ++pos_;
        continue;
      case '"':
        lex_ = Lex::kDouble;
        lex_line_ = line_;
        ++pos_;
        continue;
      case '$': {
        // $tag$ opens a dollar quote; $1 is a parameter; anything else is an operator char.
        size_t i = pos_ + 1;
        while (i < buf_.size() && (i == pos_ + 1 ? is_ident_start(buf_[i]) : is_ident_char(buf_[i]))) ++i;
        if (i >= buf_.size() && fill()) continue;
        if (i < buf_.size() && buf_[i] == '$') {
          dollar_tag_ = buf_.substr(pos_, i - pos_ + 1);
          lex_ = Lex::kDollar;
          lex_line_ = line_;
          pos_ = i + 1;
          continue;
        }
        if (pos_ + 1 < buf_.size() && std::isdigit(static_cast<unsigned char>(buf_[pos_ + 1]))) word_ = "$";
        ++pos_;
        continue;
      }
      case '(':
        ++paren_depth_;
        ++pos_;
        continue;
      case ')':
        if (paren_depth_ > 0) --paren_depth_;
        ++pos_;
        continue;
      case ';':
        if (paren_depth_ > 0 || begin_depth_ > 0) {
          ++pos_;
          continue;
        }
        ++pos_;
        stmt_text_.assign(buf_, stmt_begin_, pos_ - stmt_begin_);
        ev.kind = ScriptEvent::Kind::kStatement;
        ev.text = stmt_text_;
        ev.line = stmt_line_;
        ev.copy_from_stdin = copy_stdin_;
        if (copy_stdin_) {
          in_copy_ = true;
          copy_mid_line_ = false;
          copy_line_ = stmt_line_;
          // Data starts on the next line; the rest of this one must be blank.
          for (;;) {
            if (pos_ >= buf_.size()) {
              if (fill()) continue;
              break;
            }
            char d = buf_[pos_];
            if (d == '\n') {
              ++pos_;
              ++line_;
              break;
            }
            if (d != ' ' && d != '\t' && d != '\r')
              fail(line_, "text after COPY ... FROM stdin; on the same line is not supported");
            ++pos_;
          }
        }
        reset_statement();
        return true;
      default:
        ++pos_;
        continue;
    }
  }
}

bool SqlSplitter::next_copy(ScriptEvent& ev) {
  for (;;) {
    size_t start = pos_;
    size_t scan = pos_;
    bool mid = copy_mid_line_;
    std::uint64_t lines = 0;
    size_t terminator = 0;  // length of the "\." line when found at scan
    bool need_more = false;
    for (;;) {
      size_t avail = buf_.size() - scan;
      if (!mid) {
        if (avail == 0) {
          need_more = true;
          break;
        }
        if (buf_[scan] == '\\') {
          // "\." alone on its line ends the data; its line end decides, so wait for it.
          bool wait = false;
          if (avail == 1) {
            wait = !eof_;
          } else if (buf_[scan + 1] == '.') {
            if (avail == 2) {
              if (eof_) terminator = 2;
              else wait = true;
            } else if (buf_[scan + 2] == '\n') {
              terminator = 3;
            } else if (buf_[scan + 2] == '\r') {
              if (avail == 3) {
                if (eof_) terminator = 3;
                else wait = true;
              } else if (buf_[scan + 3] == '\n') {
                terminator = 4;
              }
            }
          }
          if (wait) {
            need_more = true;
            break;
          }
          if (terminator) break;
        }
      }
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scan, '\n', avail));
      if (nl) {
        scan = static_cast<size_t>(nl - buf_.data()) + 1;
        mid = false;
        ++lines;
        if (scan - start >= kMaxCopyPiece) break;
        continue;
      }
      if (!eof_ && avail >= kMaxCopyPiece) {
        // One enormous line: pass it on in pieces rather than holding it whole.
        scan = buf_.size();
        mid = true;
        break;
      }
      if (eof_) {
        if (scan == start)
          fail(copy_line_, "COPY data has no \\. line before the end of the file (is the file truncated?)");
        break;  // hand over the complete lines first; the next call reports the cut line
      }
      need_more = true;
      break;
    }
    if (scan > start) {
      ev.kind = ScriptEvent::Kind::kCopyData;
      ev.text = std::string_view(buf_.data() + start, scan - start);
      ev.line = line_;
      ev.copy_from_stdin = false;
      pos_ = scan;
      line_ += lines;
      copy_mid_line_ = mid;
      return true;
    }
    if (terminator) {
      ev.kind = ScriptEvent::Kind::kCopyEnd;
      ev.text = {};
      ev.line = line_;
      ev.copy_from_stdin = false;
      pos_ += terminator;
      if (buf_[pos_ - 1] == '\n') ++line_;
      in_copy_ = false;
      return true;
    }
    if (need_more) {
      if (!fill() && buf_.size() == pos_)
        fail(copy_line_, "COPY data has no \\. line before the end of the file (is the file truncated?)");
      continue;
    }
  }
}

}  // namespace crm::pg
