// crm-bench-e2e: end-to-end throughput of crmbackup-native against the tools the old backup
// system used, all measured in the same run on the same throw-away PostgreSQL 15 and Storage
// test server, seeded with the fixture generators. Every command runs as a child process and
// is measured with wait4() (wall, user+sys CPU, peak RSS); each figure is the median of --runs
// runs with min-max; the order of the methods rotates from run to run.
// Writes a Markdown report (for bench/RESULTS.md) and the raw samples as JSON.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/e2e/process_timer.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/pg_cluster.hpp"
#include "fixtures/sandbox/process.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "storage-api/url.hpp"

namespace fs = std::filesystem;
using crm::bench::Command;
using crm::bench::Sample;

namespace {

struct Options {
  double data_mb = 500;
  double attachments_mb = 1024;
  int files = 3000;
  int small_files = 20000;
  int small_file_bytes = 10240;
  int runs = 3;
  int restore_runs = 0;  // 0: as --runs
  int jobs = 2;
  int curl_parallel = 8;
  std::uint64_t seed = 42;
  std::string work;
  std::string cli;  // crmbackup-native
  std::string markdown_out;
  std::string json_out;
  bool no_restore_baseline = false;
  std::string label;
};

// One way of doing a case's job: the engine or a baseline.
struct Method {
  std::string label;
  bool engine = false;
  std::function<std::vector<Command>()> make;
  std::function<void()> before;  // untimed: clear the previous output
  bool clear_after = false;       // run `before` again after each sample: outputs too big to keep side by side
  std::vector<Sample> samples;
  std::string shown;  // the command line as reported (secrets redacted)
};

// engine is at least `target` times faster (baseline wall / engine wall) than baseline.
struct Goal {
  std::string text;
  std::string engine, baseline;
  double target;
};

struct Case {
  std::string name;
  std::string what;
  double bytes = 0;  // the payload every method of the case moves (MB/s = bytes / wall)
  long files = 0;
  int runs = 0;
  std::vector<Method> methods;
  std::vector<Goal> goals;
  std::vector<std::string> notes;
  int postmaster = 0;  // > 0: also measure the backends' CPU (postmaster's reaped children)
  std::function<void()> cleanup;  // untimed, after the last run: free the disk
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

struct Stat {
  double med = 0, lo = 0, hi = 0;
};
Stat stat_of(const std::vector<Sample>& s, const std::function<double(const Sample&)>& f) {
  std::vector<double> v;
  for (const auto& x : s) v.push_back(f(x));
  if (v.empty()) return {};
  return {median(v), *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

std::string shell_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += q + "'";
    }
  }
  return out;
}

std::string redact(std::string s, const std::vector<std::string>& secrets) {
  for (const auto& sec : secrets) {
    if (sec.empty()) continue;
    for (size_t p; (p = s.find(sec)) != std::string::npos;) s.replace(p, sec.size(), "***");
  }
  return s;
}

std::uint64_t tree_bytes(const fs::path& p) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return fs::file_size(p, ec);
  std::uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

void remove_path(const fs::path& p) {
  std::error_code ec;
  fs::remove_all(p, ec);
}

// Untimed between methods: pushes the previous method's dirty pages out so its writeback
// does not land on the next one's clock.
void settle() { ::sync(); }

// Whether the CLI lists `sub` among the subcommands of `parent` (empty: top level).
bool engine_has(const std::string& cli, const std::vector<std::string>& path) {
  std::vector<std::string> argv = {cli};
  argv.insert(argv.end(), path.begin(), path.end() - 1);
  argv.push_back("--help");
  auto r = crm::sandbox::run_process(argv, {.timeout_seconds = 30});
  auto at = r.out.find("Subcommands:");
  return r.exit_code == 0 && at != std::string::npos && r.out.find("\n  " + path.back() + " ", at) != std::string::npos;
}

std::string psql_value(const crm::sandbox::PgCluster& c, const std::string& sql, const std::string& db = "postgres") {
  std::string out = c.psql(sql, db);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Every ordinary table with rows, split by size into n groups of similar total size: the
// work of n concurrent raw COPY sessions.
std::vector<std::vector<std::string>> copy_groups(const crm::sandbox::PgCluster& c, int n) {
  std::string rows = c.psql(
      "SELECT format('COPY (SELECT * FROM %I.%I) TO STDOUT', n.nspname, c.relname), pg_relation_size(c.oid) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 2 DESC, 1");
  std::vector<std::vector<std::string>> groups(static_cast<size_t>(n));
  std::vector<long long> load(static_cast<size_t>(n), 0);
  std::istringstream in(rows);
  for (std::string line; std::getline(in, line);) {
    auto bar = line.rfind('|');
    if (bar == std::string::npos) continue;
    long long size = std::stoll(line.substr(bar + 1));
    size_t g = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    groups[g].push_back(line.substr(0, bar));
    load[g] += size + 8192;
  }
  return groups;
}

void fail_case(const std::string& what, const Sample& s, const std::string& err_path) {
  throw std::runtime_error(fmt::format("{} failed with exit code {}:\n{}", what, s.exit_code, crm::bench::tail_of_file(err_path)));
}

void run_case(Case& c, int runs, const fs::path& logs) {
  std::cerr << fmt::format("== {} ({} runs)\n", c.name, runs);
  c.runs = runs;
  for (int r = 0; r < runs; ++r) {
    size_t n = c.methods.size();
    for (size_t k = 0; k < n; ++k) {
      Method& m = c.methods[(k + static_cast<size_t>(r)) % n];  // rotate who goes first
      if (m.before) m.before();
      settle();
      auto cmds = m.make();
      std::string err = (logs / (c.name + "-" + m.label + ".err")).string();
      for (size_t i = 0; i < cmds.size(); ++i) {
        std::replace(err.begin(), err.end(), ' ', '_');
        if (cmds[i].stderr_path == "/dev/null") cmds[i].stderr_path = err + (i ? "." + std::to_string(i) : "");
      }
      double server0 = c.postmaster > 0 ? crm::bench::children_cpu_seconds(c.postmaster) : -1;
      Sample s = crm::bench::run_concurrently(cmds);
      if (server0 >= 0) {
        // Backends exit right after their client; give the postmaster a moment to reap them.
        double server1 = server0;
        for (int i = 0; i < 20; ++i) {
          ::usleep(50 * 1000);
          double now = crm::bench::children_cpu_seconds(c.postmaster);
          if (now == server1 && i >= 4) break;
          server1 = now;
        }
        s.server_cpu_s = server1 - server0;
      }
      if (s.exit_code != 0) fail_case(c.name + ": " + m.label, s, cmds[0].stderr_path);
      m.samples.push_back(s);
      if (m.clear_after && m.before) m.before();
      std::cerr << fmt::format("  run {} {:<34} {:8.2f} s  {:7.2f} CPU s  {:7.1f} MB RSS{}\n", r + 1, m.label, s.wall_s,
                               s.cpu_s, s.peak_rss_mb,
                               s.server_cpu_s >= 0 ? fmt::format("  {:7.2f} server CPU s", s.server_cpu_s) : "");
    }
  }
  if (c.cleanup) c.cleanup();
}

const Method* find_method(const Case& c, const std::string& label) {
  for (const auto& m : c.methods)
    if (m.label == label) return &m;
  return nullptr;
}

double speedup(const Case& c, const std::string& engine, const std::string& baseline) {
  const Method* e = find_method(c, engine);
  const Method* b = find_method(c, baseline);
  if (!e || !b || e->samples.empty() || b->samples.empty()) return 0;
  return stat_of(b->samples, [](const Sample& s) { return s.wall_s; }).med /
         stat_of(e->samples, [](const Sample& s) { return s.wall_s; }).med;
}

std::string range(const Stat& s, int prec) {
  return fmt::format("{:.{}f} ({:.{}f}–{:.{}f})", s.med, prec, s.lo, prec, s.hi, prec);
}

std::string markdown(const std::vector<Case>& cases, const std::string& header) {
  std::string md = header;
  md += "\n| Case | Command | Wall s, median (min–max) | MB/s, median (min–max) | Files/s | Ratio to baseline (wall) | CPU s | CPU s per GB | Peak RSS MB | Server CPU s |\n";
  md += "|---|---|---:|---:|---:|---|---:|---:|---:|---:|\n";
  for (const auto& c : cases) {
    for (const auto& m : c.methods) {
      if (m.samples.empty()) continue;
      double mb = c.bytes / 1048576.0, gb = c.bytes / 1073741824.0;
      Stat wall = stat_of(m.samples, [](const Sample& s) { return s.wall_s; });
      Stat rate = stat_of(m.samples, [&](const Sample& s) { return mb / s.wall_s; });
      Stat cpu = stat_of(m.samples, [](const Sample& s) { return s.cpu_s; });
      Stat rss = stat_of(m.samples, [](const Sample& s) { return s.peak_rss_mb; });
      std::string ratio = "—";
      if (m.engine) {
        ratio.clear();
        for (const auto& b : c.methods) {
          if (b.engine || b.samples.empty()) continue;
          if (!ratio.empty()) ratio += "; ";
          ratio += fmt::format("{:.2f}x {}", speedup(c, m.label, b.label), b.label);
        }
        if (ratio.empty()) ratio = "—";
      }
      std::string files = c.files ? fmt::format("{:.0f}", c.files / wall.med) : "—";
      // Rates of a few hundred KB (schema, roles) say nothing: only their times count.
      bool sized = c.bytes >= 8 << 20;
      Stat server = stat_of(m.samples, [](const Sample& s) { return s.server_cpu_s; });
      md += fmt::format("| {} | {}{}{} | {} | {} | {} | {} | {:.2f} | {} | {:.0f} | {} |\n", c.name, m.engine ? "**" : "", m.label,
                        m.engine ? "**" : "", range(wall, 2), sized ? range(rate, 1) : "—", files, ratio, cpu.med,
                        sized ? fmt::format("{:.2f}", cpu.med / gb) : "—", rss.med,
                        server.med >= 0 ? fmt::format("{:.2f}", server.med) : "—");
    }
  }
  md += "\nRatio = baseline median wall / engine median wall (above 1: the engine is faster). CPU s, CPU s per GB and "
        "peak RSS are the client's (user+sys of the command and its children; RSS of its largest process); "
        "Server CPU s = the PostgreSQL backends' user+sys for the same command (medians).\n";
  md += "\n| Goal | Measured | Met |\n|---|---:|---|\n";
  for (const auto& c : cases) {
    for (const auto& g : c.goals) {
      double s = speedup(c, g.engine, g.baseline);
      if (s == 0) continue;
      md += fmt::format("| {}: {} | {:.2f}x (goal {:.2f}x) | {} |\n", c.name, g.text, s, g.target,
                        s >= g.target ? "yes" : fmt::format("**no** ({:.0f}% of the goal)", 100 * s / g.target));
    }
  }
  md += "\n";
  for (const auto& c : cases) {
    md += fmt::format("**{}** — {}; {:.1f} MB{}; {} runs.\n", c.name, c.what, c.bytes / 1048576.0,
                      c.files ? fmt::format(" in {} files", c.files) : "", c.runs);
    for (const auto& m : c.methods) md += fmt::format("- {}: `{}`\n", m.label, m.shown);
    for (const auto& n : c.notes) md += "- " + n + "\n";
    md += "\n";
  }
  return md;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\', o += ch;
    else if (static_cast<unsigned char>(ch) < 0x20) o += fmt::format("\\u{:04x}", ch);
    else o += ch;
  }
  return o;
}

std::string to_json(const std::vector<Case>& cases, const std::string& date, const std::string& machine) {
  std::string j = fmt::format("{{\"date\":\"{}\",\"machine\":\"{}\",\"cases\":[", json_escape(date), json_escape(machine));
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    j += fmt::format("{}{{\"name\":\"{}\",\"bytes\":{:.0f},\"files\":{},\"methods\":[", i ? "," : "", json_escape(c.name), c.bytes, c.files);
    for (size_t k = 0; k < c.methods.size(); ++k) {
      const auto& m = c.methods[k];
      j += fmt::format("{}{{\"label\":\"{}\",\"engine\":{},\"command\":\"{}\",\"samples\":[", k ? "," : "", json_escape(m.label),
                       m.engine ? "true" : "false", json_escape(m.shown));
      for (size_t s = 0; s < m.samples.size(); ++s)
        j += fmt::format("{}{{\"wall_s\":{:.4f},\"cpu_s\":{:.4f},\"peak_rss_mb\":{:.1f},\"server_cpu_s\":{:.3f}}}", s ? "," : "",
                         m.samples[s].wall_s, m.samples[s].cpu_s, m.samples[s].peak_rss_mb, m.samples[s].server_cpu_s);
      j += "]}";
    }
    j += "],\"goals\":[";
    bool first = true;
    for (const auto& g : c.goals) {
      double s = speedup(c, g.engine, g.baseline);
      if (s == 0) continue;
      j += fmt::format("{}{{\"goal\":\"{}\",\"measured\":{:.3f},\"target\":{:.3f},\"met\":{}}}", first ? "" : ",",
                       json_escape(g.text), s, g.target, s >= g.target ? "true" : "false");
      first = false;
    }
    j += "]}";
  }
  return j + "]}\n";
}

std::string machine_summary() {
  struct utsname u {};
  ::uname(&u);
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  std::string cpu;
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  return fmt::format("{} cores ({}), {:.1f} GiB RAM, {} {}", ::sysconf(_SC_NPROCESSORS_ONLN), cpu,
                     static_cast<double>(pages) * page / (1 << 30), u.sysname, u.release);
}

// Step 3 of the old restore on a fresh platform database: empty the auth and storage tables
// the platform seeds, so data.sql's rows do not collide.
constexpr const char* kOldClearTarget =
    "DO $$DECLARE t text; BEGIN FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
    "WHERE (schemaname = 'auth' AND tablename IN ('users','identities','sessions','refresh_tokens','mfa_factors',"
    "'mfa_challenges','mfa_amr_claims','flow_state','audit_log_entries','instances','one_time_tokens')) "
    "OR (schemaname = 'storage' AND tablename IN ('buckets','objects')) "
    "LOOP EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END LOOP; END$$";

struct Listing {
  std::vector<std::pair<std::string, std::uint64_t>> objects;  // path, size
  std::uint64_t bytes = 0;
};

Listing read_listing(const std::string& path) {
  Listing l;
  simdjson::ondemand::parser parser;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    simdjson::padded_string p(line);
    auto doc = parser.iterate(p);
    std::string_view path_view = doc["path"].get_string();
    std::string name{path_view};
    std::uint64_t size = doc["size"].get_uint64();
    l.objects.emplace_back(name, size);
    l.bytes += size;
  }
  return l;
}

// The environment that points the engine at the Storage test server.
std::map<std::string, std::string> storage_env(const crm::sandbox::StorageServer& server) {
  return {{"SUPABASE_STORAGE_URL", server.url()}, {"SUPABASE_SERVICE_ROLE_KEY", server.key()}};
}

// The attachments cases: native download vs xargs -P 8 curl vs cp -r of the server's folder.
Case attachments_case(const std::string& name, const std::string& what, const std::string& root,
                      const crm::sandbox::StorageServer& server, const Options& o, const fs::path& work,
                      double curl_goal, bool cp_goal) {
  Case c;
  c.name = name;
  c.what = what;
  auto env = storage_env(server);
  // The URL list for curl comes from the engine's own listing (one untimed download, which
  // also brings every file into the page cache for all methods alike).
  fs::path probe = work / (name + "-probe"), listing = work / (name + "-objects.jsonl");
  remove_path(probe);
  Command pc{.argv = {o.cli, "dump", "attachments", "--output", probe.string(), "--json"}, .env = env,
             .stdout_path = listing.string(), .stderr_path = (work / (name + "-probe.err")).string()};
  Sample ps = crm::bench::run_timed(pc);
  if (ps.exit_code != 0) fail_case(name + ": listing probe", ps, pc.stderr_path);
  remove_path(probe);
  Listing l = read_listing(listing.string());
  c.bytes = static_cast<double>(l.bytes);
  c.files = static_cast<long>(l.objects.size());
  fs::path curl_out = work / (name + "-curl"), native_out = work / (name + "-native"), cp_out = work / (name + "-cp");
  fs::path args = work / (name + "-curl-args.txt");
  {
    std::ofstream a(args);
    for (const auto& [path, size] : l.objects)
      a << "-o\n" << (curl_out / path).string() << "\n"
        << server.url() << "/object/authenticated/attachments/" << crm::storage::encode_object_path(path) << "\n";
  }
  std::string bearer = "Authorization: Bearer " + server.key();
  c.methods.push_back({.label = "dump attachments", .engine = true,
                       .make = [=] { return std::vector<Command>{{.argv = {o.cli, "dump", "attachments", "--output", native_out.string()}, .env = env}}; },
                       .before = [=] { remove_path(native_out); },
                       .clear_after = true,
                       .shown = shell_line({"crmbackup-native", "dump", "attachments", "--output", "DIR"}) + " (transfers: default 16)"});
  int P = o.curl_parallel;
  c.methods.push_back({.label = fmt::format("xargs -P {} curl", P), .engine = false,
                       .make = [=] {
                         return std::vector<Command>{{.argv = {"xargs", "-d", "\n", "-P", std::to_string(P), "-n", "3", "curl", "-sS", "--fail",
                                                               "--create-dirs", "-H", bearer},
                                                      .stdin_path = args.string()}};
                       },
                       .before = [=] { remove_path(curl_out); },
                       .clear_after = true,
                       .shown = fmt::format("xargs -d '\\n' -P {} -n 3 curl -sS --fail --create-dirs -H 'Authorization: Bearer ***' < (-o FILE URL per object)", P)});
  c.methods.push_back({.label = "cp -r", .engine = false,
                       .make = [=] { return std::vector<Command>{{.argv = {"cp", "-r", root + "/attachments", cp_out.string()}}}; },
                       .before = [=] { remove_path(cp_out); },
                       .clear_after = true,
                       .shown = "cp -r SERVER_ROOT/attachments DIR"});
  c.goals.push_back({fmt::format("≥ {:.0f}x the throughput of xargs -P {} curl", curl_goal, P), "dump attachments",
                     fmt::format("xargs -P {} curl", P), curl_goal});
  if (cp_goal) c.goals.push_back({"≥ 80% of the cp -r rate", "dump attachments", "cp -r", 0.8});
  c.cleanup = [=] {
    remove_path(native_out);
    remove_path(curl_out);
    remove_path(cp_out);
  };
  c.notes.push_back("cp -r also copies the server's .meta.json sidecars; neither curl nor cp -r syncs, the engine fdatasyncs every file "
                    "(in the background as each completes) and fsyncs its folders before it returns");
  return c;
}

// A database holding the platform and the CRM schema but no rows, so the bucket dominates a
// whole backup or restore.
std::string schema_only_database(const crm::sandbox::PgCluster& cluster) {
  const std::string db = "bucket_only";
  if (psql_value(cluster, "SELECT count(*) FROM pg_database WHERE datname = 'bucket_only'") == "0") {
    cluster.create_database(db);
    crm::sandbox::load_platform(cluster, db);
    crm::sandbox::load_crm_schema(cluster, db);
  }
  return db;
}

// The second backup of an unchanged bucket against the first, on a database holding only the
// platform and the CRM schema (no rows), so the bucket dominates; then seven daily sets' disk use.
Case incremental_case(const crm::sandbox::PgCluster& cluster, const crm::sandbox::StorageServer& server, const Options& o,
                      const fs::path& work, const fs::path& logs, int postmaster) {
  Case c;
  c.name = "backup (incremental)";
  c.postmaster = postmaster;
  const std::string db = schema_only_database(cluster);
  auto env = storage_env(server);
  auto backup = [&](const fs::path& dir, const std::string& err) {
    Command b{.argv = {o.cli, "backup", "--backup-dir", dir.string(), "--db-url", cluster.url(db), "--no-retention"}, .env = env,
              .stderr_path = err};
    return b;
  };
  Method first{.label = "first backup", .engine = false,
               .shown = "crmbackup-native backup --backup-dir DIR --db-url URL_OF_SCHEMA_ONLY_DB --no-retention (empty DIR)"};
  Method second{.label = "second backup (unchanged)", .engine = true,
                .shown = "the same command again, 1 s later, same DIR"};
  fs::path dir;
  std::cerr << fmt::format("== {} ({} runs)\n", c.name, o.runs);
  c.runs = o.runs;
  for (int r = 0; r < o.runs; ++r) {
    dir = work / fmt::format("backups-inc-{}", r);
    remove_path(dir);
    std::string err = (logs / "incremental.err").string();
    for (Method* m : {&first, &second}) {
      settle();
      ::sleep(1);  // set names have a resolution of one second
      Sample s = crm::bench::run_concurrently({backup(dir, err)});
      if (s.exit_code != 0) fail_case(c.name + ": " + m->label, s, err);
      m->samples.push_back(s);
      std::cerr << fmt::format("  run {} {:<34} {:8.2f} s  {:7.2f} CPU s  {:7.1f} MB RSS\n", r + 1, m->label, s.wall_s, s.cpu_s,
                               s.peak_rss_mb);
    }
    if (r + 1 < o.runs) remove_path(dir);
  }
  // Bytes: the first set's attachments.
  std::string first_prefix;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.size() > 9 && n.compare(n.size() - 9, 9, "-data.sql") == 0 && (first_prefix.empty() || n < first_prefix + "-data.sql"))
      first_prefix = n.substr(0, n.size() - 9);
  }
  auto du = [](const std::string& args) {
    auto r = crm::sandbox::run_process({"sh", "-c", "du -scb " + args + " | tail -1 | cut -f1"});
    return r.exit_code == 0 ? std::stod(r.out) : 0.0;
  };
  double one_set = du("'" + (dir / first_prefix).string() + "'*");
  c.bytes = one_set;
  // Five more daily sets of the unchanged bucket: seven in all.
  for (int i = 0; i < 5; ++i) {
    ::sleep(1);
    auto b = backup(dir, (logs / "incremental-more.err").string());
    if (crm::bench::run_timed(b).exit_code != 0) fail_case(c.name + ": sets 3-7", {}, b.stderr_path);
  }
  double seven = du("'" + dir.string() + "'");
  c.methods.push_back(std::move(first));
  c.methods.push_back(std::move(second));
  c.goals.push_back({"second backup under 5% of the first's time", "second backup (unchanged)", "first backup", 20.0});
  c.what = "the mixed-size bucket and a database holding the platform and CRM schema only";
  c.notes.push_back(fmt::format("disk use of seven sets of the unchanged bucket (du, hard links counted once): {:.1f} MB = {:.3f}x one set "
                                "({:.1f} MB); goal under 1.1x: {}",
                                seven / 1048576, seven / one_set, one_set / 1048576, seven / one_set < 1.1 ? "met" : "**missed**"));
  remove_path(dir);
  return c;
}

}  // namespace

// Restoring the attachments: the engine's restore of a set whose database part is the
// schema-only database (so the uploads dominate) against xargs -P N curl uploading every file
// of the same set with upsert. Both leave the bucket as it was.
Case upload_case(const crm::sandbox::PgCluster& cluster, const crm::sandbox::StorageServer& server, const Options& o,
                 const fs::path& work, const fs::path& logs) {
  Case c;
  c.name = "restore (attachments)";
  const std::string db = schema_only_database(cluster);
  auto env = storage_env(server);
  fs::path dir = work / "backups-upload";
  remove_path(dir);
  Command b{.argv = {o.cli, "backup", "--backup-dir", dir.string(), "--db-url", cluster.url(db), "--no-retention", "--full"},
            .env = env, .stderr_path = (logs / "upload-backup.err").string()};
  Sample bs = crm::bench::run_timed(b);
  if (bs.exit_code != 0) fail_case(c.name + ": the set to restore", bs, b.stderr_path);
  std::string prefix;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.ends_with("-manifest.json")) prefix = n.substr(0, n.size() - std::string("-manifest.json").size());
  }
  fs::path att = dir / (prefix + "-attachments");
  fs::path args = work / "upload-curl-args.txt";
  const std::string db_url = cluster.url(db);
  {
    std::ofstream a(args);
    for (const auto& e : fs::recursive_directory_iterator(att)) {
      if (!e.is_regular_file()) continue;
      c.bytes += static_cast<double>(e.file_size());
      ++c.files;
      std::string rel = fs::relative(e.path(), att).string();
      a << "-T\n" << e.path().string() << "\n"
        << server.url() << "/object/attachments/" << crm::storage::encode_object_path(rel) << "\n";
    }
  }
  c.methods.push_back({.label = "restore (attachments)", .engine = true,
                       .make = [=] {
                         return std::vector<Command>{{.argv = {o.cli, "restore", prefix, "--backup-dir", dir.string(), "--db-url",
                                                               db_url, "--yes"},
                                                      .env = env}};
                       },
                       .shown = "crmbackup-native restore PREFIX --backup-dir DIR --db-url URL_OF_SCHEMA_ONLY_DB --yes "
                                "(uploads with upsert, deletes extras, compares the listing)"});
  int P = o.curl_parallel;
  std::string bearer = "Authorization: Bearer " + server.key();
  c.methods.push_back({.label = fmt::format("xargs -P {} curl (upload)", P), .engine = false,
                       .make = [=] {
                         return std::vector<Command>{{.argv = {"xargs", "-d", "\n", "-P", std::to_string(P), "-n", "3", "curl", "-sS",
                                                               "--fail", "-o", "/dev/null", "-X", "POST", "-H", bearer, "-H",
                                                               "x-upsert: true", "-H", "Expect:", "-H",
                                                               "Content-Type: application/octet-stream"},
                                                      .stdin_path = args.string()}};
                       },
                       .shown = fmt::format("xargs -d '\\n' -P {} -n 3 curl -sS --fail -o /dev/null -X POST -H 'Authorization: Bearer ***' "
                                            "-H 'x-upsert: true' -H 'Expect:' -H 'Content-Type: application/octet-stream' < (-T FILE URL per file)",
                                            P)});
  c.what = "the set of the mixed-size bucket; the engine also restores the schema-only database (well under a second)";
  c.notes.push_back("the engine ends with a listing of the bucket compared with the manifest; curl uploads only");
  run_case(c, o.runs, logs);
  c.cleanup = [=] { remove_path(dir); };
  c.cleanup();
  return c;
}

// The baselines run as the server's own binaries: Debian's /usr/bin/pg_dump, psql and
// pg_dumpall are a Perl wrapper (pg_wrapper) that adds ~25 ms to every call, which would
// flatter the engine in the short cases (schema, roles).
static void put_server_binaries_first_on_path() {
  const char* bindir = std::getenv("CRM_PG_BINDIR");
  std::string path = std::string(bindir ? bindir : "/usr/lib/postgresql/15/bin");
  if (const char* old = std::getenv("PATH")) path += std::string(":") + old;
  ::setenv("PATH", path.c_str(), 1);
}

int main(int argc, char** argv) {
  put_server_binaries_first_on_path();
  CLI::App app{"crm-bench-e2e: crmbackup-native against pg_dump, pg_dumpall, psql, curl and cp -r, in one run"};
  Options o;
  app.add_option("--data-mb", o.data_mb, "table data to generate, MB (fixture generator scale)");
  app.add_option("--attachments-mb", o.attachments_mb, "mixed-size attachments, total MB (0: skip)");
  app.add_option("--files", o.files, "number of mixed-size attachments");
  app.add_option("--small-files", o.small_files, "number of small attachments in the many-small-files case (0: skip)");
  app.add_option("--small-file-bytes", o.small_file_bytes, "size of each small attachment");
  app.add_option("--runs", o.runs, "runs per command (the report shows median and min-max)")->check(CLI::Range(1, 100));
  app.add_option("--restore-runs", o.restore_runs, "runs of the (slow) restore comparison (default: --runs)");
  app.add_option("--jobs", o.jobs, "--jobs of dump data, pg_dump -Fd -j, and the number of raw COPY sessions");
  app.add_option("--curl-parallel", o.curl_parallel, "xargs -P of the curl baseline");
  app.add_option("--seed", o.seed, "seed of the generators");
  app.add_option("--work", o.work, "scratch folder for outputs (default: a new folder under /tmp)");
  app.add_option("--cli", o.cli, "crmbackup-native to measure")->required();
  app.add_option("--markdown", o.markdown_out, "write the Markdown report here (also printed)");
  app.add_option("--json", o.json_out, "write the samples as JSON here");
  app.add_option("--label", o.label, "a title for the report, e.g. the SIZE");
  app.add_flag("--no-restore-baseline", o.no_restore_baseline, "skip the psql --single-transaction restore");
  CLI11_PARSE(app, argc, argv);
  if (o.restore_runs <= 0) o.restore_runs = o.runs;

  try {
    o.cli = fs::absolute(o.cli).string();
    fs::path work = o.work.empty() ? fs::path(::mkdtemp(std::string("/tmp/crm-bench-XXXXXX").data())) : fs::path(o.work);
    fs::create_directories(work);
    fs::path logs = work / "logs";
    fs::create_directories(logs);
    std::string date = now_utc();
    auto t0 = std::chrono::steady_clock::now();
    auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

    std::cerr << fmt::format("Generating {} MB of CRM table data on a throw-away PostgreSQL 15 (seed {})...\n", o.data_mb, o.seed);
    auto cluster = crm::sandbox::start_crm_cluster(o.data_mb, o.seed);
    psql_value(*cluster, "CHECKPOINT");
    double gen_db = since();
    std::string url = cluster->url();
    std::vector<std::string> secrets = {url};
    std::string db_size = psql_value(*cluster, "SELECT pg_size_pretty(pg_database_size('postgres'))");
    std::cerr << fmt::format("  database ready in {:.0f} s ({}).\n", gen_db, db_size);

    int postmaster = 0;
    {
      std::ifstream pidfile(cluster->dir() + "/data/postmaster.pid");
      pidfile >> postmaster;
      if (crm::bench::children_cpu_seconds(postmaster) < 0) postmaster = 0;
    }
    std::vector<Case> cases;
    std::string J = std::to_string(o.jobs);

    // ---- dump data ----
    {
      Case c;
      c.name = "data";
      c.postmaster = postmaster;
      fs::path native = work / "native-data.sql", pgd = work / "pg_dump-data.sql", pgdir = work / "pg_dump-Fd";
      c.methods.push_back({.label = "dump data --jobs " + J, .engine = true,
                           .make = [=] { return std::vector<Command>{{.argv = {o.cli, "dump", "data", "--db-url", url, "--output", native.string(), "--jobs", J}}}; },
                           .before = [=] { remove_path(native); },
                           .shown = "crmbackup-native dump data --db-url URL --output FILE --jobs " + J});
      c.methods.push_back({.label = "pg_dump --data-only", .engine = false,
                           .make = [=] { return std::vector<Command>{{.argv = {"pg_dump", "--data-only", "--quote-all-identifiers", "-f", pgd.string(), "-d", url}}}; },
                           .before = [=] { remove_path(pgd); },
                           .shown = "pg_dump --data-only --quote-all-identifiers -f FILE -d URL"});
      c.methods.push_back({.label = "pg_dump -Fd -j " + J + " -Z0", .engine = false,
                           .make = [=] { return std::vector<Command>{{.argv = {"pg_dump", "--data-only", "-Fd", "-j", J, "-Z0", "-f", pgdir.string(), "-d", url}}}; },
                           .before = [=] { remove_path(pgdir); },
                           .shown = "pg_dump --data-only -Fd -j " + J + " -Z0 -f DIR -d URL"});
      auto groups = copy_groups(*cluster, o.jobs);
      std::string ceiling = fmt::format("{} raw COPY sessions", o.jobs);
      c.methods.push_back({.label = ceiling, .engine = false,
                           .make = [=] {
                             std::vector<Command> cmds;
                             for (const auto& g : groups) {
                               Command cmd{.argv = {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url}};
                               for (const auto& sql : g) cmd.argv.insert(cmd.argv.end(), {"-c", sql});
                               cmds.push_back(cmd);
                             }
                             return cmds;
                           },
                           .shown = fmt::format("{} concurrent psql -X -c \"COPY (SELECT * FROM t) TO STDOUT\" ... > /dev/null (tables split by size)", o.jobs)});
      c.goals.push_back({"≥ 2x pg_dump --data-only", c.methods[0].label, "pg_dump --data-only", 2.0});
      c.goals.push_back({fmt::format("≥ 90% of the {} raw COPY sessions (ceiling)", o.jobs), c.methods[0].label, ceiling, 0.9});
      // The payload: the engine's data.sql (one untimed run also warms the cache).
      c.methods[0].before();
      Sample s = crm::bench::run_timed(c.methods[0].make()[0]);
      if (s.exit_code != 0) throw std::runtime_error("dump data failed in the warm-up run");
      c.bytes = static_cast<double>(tree_bytes(native));
      c.what = fmt::format("CRM table data generated at --data-mb {} (database {}); MB = the engine's data.sql", o.data_mb, db_size);
      run_case(c, o.runs, logs);
      c.notes.push_back(fmt::format("pg_dump --data-only wrote {:.1f} MB (it also dumps tables the engine leaves to the platform)",
                                    tree_bytes(pgd) / 1048576.0));
      c.notes.push_back("Server CPU s: user+sys of the backends that ended during the command (read from the postmaster's reaped-children times; an autovacuum worker ending meanwhile counts too)");
      cases.push_back(std::move(c));
    }

    // ---- dump schema / dump roles (when the engine has them) ----
    struct Part {
      std::string name, baseline_label;
      std::vector<std::string> baseline;
      double goal;
      std::string goal_text;
    };
    for (const Part& p : {Part{"schema", "pg_dump --schema-only", {"pg_dump", "--schema-only", "--quote-all-identifiers"}, 5.0,
                               "at most 1/5 of pg_dump --schema-only's wall time"},
                          Part{"roles", "pg_dumpall --roles-only", {"pg_dumpall", "--roles-only"}, 0, ""}}) {
      if (!engine_has(o.cli, {"dump", p.name})) {
        std::cerr << fmt::format("== {}: skipped, this crmbackup-native has no `dump {}`\n", p.name, p.name);
        continue;
      }
      Case c;
      c.name = p.name;
      c.postmaster = postmaster;
      fs::path native = work / ("native-" + p.name + ".sql"), base = work / ("baseline-" + p.name + ".sql");
      c.methods.push_back({.label = "dump " + p.name, .engine = true,
                           .make = [=] { return std::vector<Command>{{.argv = {o.cli, "dump", p.name, "--db-url", url, "--output", native.string()}}}; },
                           .before = [=] { remove_path(native); },
                           .shown = "crmbackup-native dump " + p.name + " --db-url URL --output FILE"});
      std::vector<std::string> bargv = p.baseline;
      bargv.insert(bargv.end(), {"-f", base.string(), "-d", url});
      c.methods.push_back({.label = p.baseline_label, .engine = false,
                           .make = [=] { return std::vector<Command>{{.argv = bargv}}; },
                           .before = [=] { remove_path(base); },
                           .shown = shell_line(p.baseline) + " -f FILE -d URL"});
      if (p.goal > 0) {
        c.goals.push_back({p.goal_text, c.methods[0].label, p.baseline_label, p.goal});
        // The floor under any schema dump on this machine, measured in the same run: a process
        // that loads libpq, connects (SCRAM) and runs one trivial query. The goal is judged
        // against this: if the floor alone is above 1/goal of pg_dump, no dumper can meet it.
        c.methods.push_back({.label = "floor: psql -c 'SELECT 1'", .engine = false,
                             .make = [=] { return std::vector<Command>{{.argv = {"psql", "-X", "-q", "-d", url, "-c", "SELECT 1", "-o", "/dev/null"}}}; },
                             .shown = "psql -X -q -d URL -c 'SELECT 1' -o /dev/null (process start + connect + one query)"});
        c.methods.push_back({.label = "floor: crmbackup-native --version", .engine = false,
                             .make = [=] { return std::vector<Command>{{.argv = {o.cli, "--version"}}}; },
                             .shown = "crmbackup-native --version (process start: loading libpq, libcurl and their libraries)"});
        c.goals.push_back({"for reference, the floor alone against the same goal", "floor: psql -c 'SELECT 1'",
                           p.baseline_label, p.goal});
      }
      run_case(c, o.runs, logs);
      c.bytes = static_cast<double>(tree_bytes(native));
      c.what = "the CRM fixture's " + p.name + "; MB = the engine's output";
      cases.push_back(std::move(c));
    }

    // ---- restore of the database part: the engine's restore vs psql --single-transaction
    // replaying the same three files (the old system's way), and the backup it came from ----
    bool has_backup = engine_has(o.cli, {"backup"}), has_restore = engine_has(o.cli, {"restore"});
    if (!o.no_restore_baseline) {
      Case c;
      c.name = "restore (database)";
      c.postmaster = postmaster;
      auto counter = std::make_shared<int>(0);
      // Each restore goes into a new database holding only the platform stand-in (auth,
      // storage, extensions), like a fresh Supabase project; the previous run's copy is dropped
      // first (untimed) so its autovacuum does not run under later measurements.
      auto fresh_db = [cluster = cluster.get(), counter] {
        if (*counter > 0) cluster->psql(fmt::format("DROP DATABASE IF EXISTS \"restore_{}\"", *counter));
        std::string name = fmt::format("restore_{}", ++*counter);
        cluster->create_database(name);
        crm::sandbox::load_platform(*cluster, name);
        return name;
      };
      auto current = std::make_shared<std::string>();
      std::vector<std::string> files;  // roles.sql, schema.sql, data.sql
      fs::path backups = work / "backups-db";
      if (has_backup && has_restore) {
        remove_path(backups);
        auto backup_cmd = [=] {
          return Command{.argv = {o.cli, "backup", "--backup-dir", backups.string(), "--db-url", url, "--jobs", J, "--no-attachments",
                                  "--no-retention"}};
        };
        Command b = backup_cmd();
        b.stderr_path = (logs / "backup-probe.err").string();
        Sample bs = crm::bench::run_timed(b);
        if (bs.exit_code != 0) fail_case("backup --no-attachments (probe)", bs, b.stderr_path);
        std::string prefix;
        for (const auto& e : fs::directory_iterator(backups)) {
          std::string n = e.path().filename().string();
          if (n.size() > 9 && n.compare(n.size() - 9, 9, "-data.sql") == 0) prefix = n.substr(0, n.size() - 9);
        }
        if (prefix.empty()) throw std::runtime_error("backup wrote no <prefix>-data.sql in " + backups.string());
        fs::path set = backups / prefix;
        for (const char* part : {"-roles.sql", "-schema.sql", "-data.sql"}) files.push_back(set.string() + part);
        c.methods.push_back({.label = "restore --no-attachments", .engine = true,
                             .make = [=, cl = cluster.get()] {
                               return std::vector<Command>{{.argv = {o.cli, "restore", set.string(), "--db-url", cl->url(*current), "--yes",
                                                                     "--no-attachments"}}};
                             },
                             .before = [=] { *current = fresh_db(); },
                             .shown = "crmbackup-native restore SET --db-url URL_OF_FRESH_DB --yes --no-attachments"});
        c.methods.push_back({.label = "backup --no-attachments", .engine = false,
                             .make = [=] { return std::vector<Command>{backup_cmd()}; },
                             .shown = "crmbackup-native backup --backup-dir DIR --db-url URL --jobs " + J + " --no-attachments --no-retention"});
        c.goals.push_back({"≥ 5x faster than psql --single-transaction", "restore --no-attachments", "psql --single-transaction", 5.0});
        c.goals.push_back({"restore no slower than 3x the backup", "restore --no-attachments", "backup --no-attachments", 1.0 / 3});
        c.what = "the engine's backup set (roles.sql, schema.sql, data.sql) into a fresh database holding the platform stand-in";
      } else {
        fs::path schema = work / "restore-schema.sql", data = work / "native-data.sql";
        std::ofstream(schema) << cluster->pg_dump({"--schema-only", "--quote-all-identifiers"});
        files = {schema.string(), data.string()};
        c.notes.push_back("this crmbackup-native has no `backup`/`restore` yet: only the baseline is measured, on pg_dump --schema-only + the engine's data.sql");
        c.what = "schema and data into a fresh database";
      }
      // The old system's replay; roles.sql cannot be replayed into the same cluster when it
      // creates roles that exist already, in which case it is left out (and said so).
      auto psql_argv = [](const std::vector<std::string>& f, const std::string& target) {
        std::vector<std::string> a = {"psql", "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1"};
        for (size_t i = 0; i < f.size(); ++i) {
          if (i + 1 == f.size()) a.insert(a.end(), {"-c", "SET session_replication_role = replica"});
          a.insert(a.end(), {"-f", f[i]});
        }
        a.insert(a.end(), {"-d", target});
        return a;
      };
      c.notes.push_back("before each psql replay, untimed: the old system's step 3 (TRUNCATE ... CASCADE of the auth tables and storage.buckets/objects)");
      if (files.size() == 3) {
        std::string probe_db = fresh_db();
        cluster->psql(kOldClearTarget, probe_db);
        Command probe{.argv = psql_argv(files, cluster->url(probe_db)), .stderr_path = (logs / "psql-restore-probe.err").string()};
        if (crm::bench::run_timed(probe).exit_code != 0) {
          c.notes.push_back("psql could not replay roles.sql into the same cluster (" +
                            crm::bench::tail_of_file(probe.stderr_path, 200) + "): the baseline replays schema.sql and data.sql only");
          files.erase(files.begin());
        }
      }
      std::uint64_t total = 0;
      for (const auto& f : files) total += tree_bytes(f);
      c.bytes = static_cast<double>(total);
      std::vector<std::string> shown_files;
      for (const auto& f : files) shown_files.push_back(fs::path(f).filename().string());
      c.methods.push_back({.label = "psql --single-transaction", .engine = false,
                           .make = [=, cl = cluster.get()] { return std::vector<Command>{{.argv = psql_argv(files, cl->url(*current))}}; },
                           .before = [=, cl = cluster.get()] {
                             *current = fresh_db();
                             cl->psql(kOldClearTarget, *current);
                           },
                           .shown = shell_line(psql_argv(shown_files, "URL_OF_FRESH_DB"))});
      run_case(c, o.restore_runs, logs);
      cluster->psql(fmt::format("DROP DATABASE IF EXISTS \"restore_{}\"", *counter));
      remove_path(backups);
      cases.push_back(std::move(c));
    }

    // ---- attachments ----
    std::vector<std::unique_ptr<crm::sandbox::StorageServer>> servers;
    std::string key = "bench-service-role-key";
    if (o.attachments_mb > 0 && o.files > 0) {
      std::string root = (work / "storage-mixed").string();
      remove_path(root);
      fs::create_directories(root);
      std::cerr << fmt::format("Generating {} attachments, {} MB...\n", o.files, o.attachments_mb);
      crm::sandbox::generate_bucket(root, "attachments", o.files, o.attachments_mb, o.seed, false);
      servers.push_back(crm::sandbox::StorageServer::start({.root = root, .service_key = key, .extra_args = {"--threads", "64"}}));
      Case c = attachments_case("attachments (mixed)", "mixed sizes from the server's generator", root, *servers.back(), o,
                                work, 2.0, true);
      run_case(c, o.runs, logs);
      cases.push_back(std::move(c));
      if (has_backup) cases.push_back(incremental_case(*cluster, *servers.back(), o, work, logs, postmaster));
      // Last with this server: the curl uploads change the objects' metadata.
      if (has_backup && has_restore) cases.push_back(upload_case(*cluster, *servers.back(), o, work, logs));
      servers.back()->stop();
    }
    if (o.small_files > 0) {
      std::string root = (work / "storage-small").string();
      remove_path(root);
      fs::create_directories(root);
      std::cerr << fmt::format("Generating {} attachments of {} bytes...\n", o.small_files, o.small_file_bytes);
      auto r = crm::sandbox::run_process({crm::sandbox::storage_server_binary(), "generate", "--root", root, "--bucket", "attachments", "--files",
                                          std::to_string(o.small_files), "--file-size", std::to_string(o.small_file_bytes), "--seed",
                                          std::to_string(o.seed)},
                                         {.timeout_seconds = 3600});
      if (r.exit_code != 0) throw std::runtime_error("generating the small files failed: " + r.err);
      servers.push_back(crm::sandbox::StorageServer::start({.root = root, .service_key = key, .extra_args = {"--threads", "64"}}));
      Case c = attachments_case("attachments (small files)", fmt::format("{} files of {} bytes", o.small_files, o.small_file_bytes), root,
                                *servers.back(), o, work, 3.0, false);
      run_case(c, o.runs, logs);
      cases.push_back(std::move(c));
      servers.back()->stop();
    }

    std::string machine = machine_summary();
    std::string header = fmt::format(
        "## {}{}\n\nDate: {}. Machine: {}. Data set: --data-mb {} (database {}), --attachments-mb {} in --files {}, "
        "--small-files {} x {} B; --runs {}, --jobs {}. Generation took {:.0f} s, the whole run {:.0f} s.\n"
        "Page cache: warm (not dropped; every input fits in RAM and each case's inputs were read once before timing); "
        "`sync` between commands, untimed.\n",
        o.label.empty() ? "End-to-end run" : "End-to-end run: ", o.label, date, machine, o.data_mb, db_size, o.attachments_mb,
        o.files, o.small_files, o.small_file_bytes, o.runs, o.jobs, gen_db, since());
    for (auto& c : cases)
      for (auto& m : c.methods) m.shown = redact(m.shown, secrets);
    std::string md = markdown(cases, header);
    std::cout << md << std::flush;
    if (!o.markdown_out.empty()) std::ofstream(o.markdown_out) << md;
    if (!o.json_out.empty()) std::ofstream(o.json_out) << to_json(cases, date, machine);
    if (o.work.empty()) remove_path(work);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "crm-bench-e2e: " << redact(e.what(), {}) << "\n";
    return 1;
  }
}
