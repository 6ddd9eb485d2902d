#include "scenarios/scenario_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

extern char** environ;

namespace peerlock::scenario {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/peerlock-scenario-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    ADD_FAILURE() << "mkdtemp(" << tmpl << "): " << std::strerror(errno);
    return;
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::File(const std::string& name) const { return path_ + "/" + name; }

std::string RunResult::Describe() const {
  std::string head = exit_code >= 0 ? "exit " + std::to_string(exit_code)
                                    : "killed by signal " + std::to_string(-exit_code);
  // Long outputs (thousands of differences) are cut: the head says what went wrong.
  auto cut = [](const std::string& text) {
    constexpr size_t kMax = 4000;
    if (text.size() <= kMax) return text;
    return text.substr(0, kMax) + "\n... (" + std::to_string(text.size() - kMax) + " more bytes)";
  };
  return head + "\n--- stdout ---\n" + cut(out) + "\n--- stderr ---\n" + cut(err);
}

RunResult RunPeerlock(const std::vector<std::string>& args, const EnvList& env_extra) {
  RunResult result;
  // Everything the child needs is built before fork: the child only dup2s and execs.
  std::vector<std::string> argv_store;
  argv_store.push_back(PEERLOCK_BINARY);
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  env.erase("PEERLOCK_FAULT");
  for (const auto& [name, value] : env_extra) env[name] = value;
  std::vector<std::string> env_store;
  for (const auto& [name, value] : env) env_store.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    result.exit_code = -1000;
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    result.exit_code = -1000;
    return result;
  }
  if (pid == 0) {
    int null_in = open("/dev/null", O_RDONLY);
    if (null_in >= 0) dup2(null_in, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    const char msg[] = "scenario_support: execve failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  // Drain both pipes until both are closed, so neither side can block the other.
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      ADD_FAILURE() << "poll: " << std::strerror(errno);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) close(fd.fd);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      ADD_FAILURE() << "waitpid: " << std::strerror(errno);
      result.exit_code = -1000;
      return result;
    }
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = -WTERMSIG(status);
  else
    result.exit_code = -1000;
  return result;
}

std::string SqliteUrl(const std::string& absolute_path) { return "sqlite://" + absolute_path; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) ADD_FAILURE() << "cannot write " << path;
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool Value::operator==(const Value& other) const {
  if (type != other.type) return false;
  switch (type) {
    case SQLITE_INTEGER: return i == other.i;
    case SQLITE_FLOAT: return std::memcmp(&f, &other.f, sizeof f) == 0;
    case SQLITE_TEXT:
    case SQLITE_BLOB: return s == other.s;
    default: return true;
  }
}

std::string Value::Describe() const {
  auto hex = [](const std::string& bytes) {
    std::string out;
    char b[3];
    for (unsigned char c : bytes) {
      std::snprintf(b, sizeof b, "%02x", c);
      out += b;
    }
    return out;
  };
  switch (type) {
    case SQLITE_INTEGER: return "INTEGER " + std::to_string(i);
    case SQLITE_FLOAT: {
      char text[64];
      std::snprintf(text, sizeof text, "%.17g", f);
      uint64_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      char b[32];
      std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(bits));
      return std::string("REAL ") + text + " (0x" + b + ")";
    }
    case SQLITE_TEXT: return "TEXT '" + s + "' (hex " + hex(s) + ")";
    case SQLITE_BLOB: return "BLOB x'" + hex(s) + "'";
    default: return "NULL";
  }
}

Db::Db(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) ADD_FAILURE() << "sqlite3_open_v2(" << path << "): " << sqlite3_errstr(rc);
  sqlite3_busy_timeout(db_, 10000);
}

Db::~Db() { sqlite3_close_v2(db_); }

std::string Db::TryExec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  std::string error;
  if (rc != SQLITE_OK) error = message ? message : sqlite3_errstr(rc);
  if (message) sqlite3_free(message);
  return error;
}

bool Db::Exec(const std::string& sql) {
  std::string error = TryExec(sql);
  if (!error.empty()) ADD_FAILURE() << "SQL failed: " << error << "\n  in: " << sql.substr(0, 500);
  return error.empty();
}

namespace {

// Prepares `sql`; fails the test and returns nullptr on error.
sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "prepare failed: " << sqlite3_errmsg(db) << "\n  in: " << sql;
    sqlite3_finalize(stmt);
    return nullptr;
  }
  return stmt;
}

Value ColumnValue(sqlite3_stmt* stmt, int c) {
  Value v;
  v.type = sqlite3_column_type(stmt, c);
  switch (v.type) {
    case SQLITE_INTEGER: v.i = sqlite3_column_int64(stmt, c); break;
    case SQLITE_FLOAT: v.f = sqlite3_column_double(stmt, c); break;
    case SQLITE_TEXT: {
      const auto* text = sqlite3_column_text(stmt, c);
      v.s.assign(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt, c));
      break;
    }
    case SQLITE_BLOB: {
      const void* blob = sqlite3_column_blob(stmt, c);
      int n = sqlite3_column_bytes(stmt, c);
      if (n > 0) v.s.assign(static_cast<const char*>(blob), n);
      break;
    }
    default: break;
  }
  return v;
}

}  // namespace

bool Db::Run(const std::string& sql, const std::vector<Value>& params) {
  sqlite3_stmt* stmt = Prepare(db_, sql);
  if (!stmt) return false;
  for (size_t p = 0; p < params.size(); ++p) {
    const Value& v = params[p];
    int index = static_cast<int>(p) + 1;
    switch (v.type) {
      case SQLITE_INTEGER: sqlite3_bind_int64(stmt, index, v.i); break;
      case SQLITE_FLOAT: sqlite3_bind_double(stmt, index, v.f); break;
      case SQLITE_TEXT:
        sqlite3_bind_text64(stmt, index, v.s.data(), v.s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
      case SQLITE_BLOB:
        if (v.s.empty())
          sqlite3_bind_zeroblob(stmt, index, 0);
        else
          sqlite3_bind_blob64(stmt, index, v.s.data(), v.s.size(), SQLITE_TRANSIENT);
        break;
      default: sqlite3_bind_null(stmt, index); break;
    }
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  bool ok = rc == SQLITE_DONE;
  if (!ok) ADD_FAILURE() << "step failed: " << sqlite3_errmsg(db_) << "\n  in: " << sql;
  sqlite3_finalize(stmt);
  return ok;
}

std::vector<Row> Db::Rows(const std::string& sql) {
  std::vector<Row> rows;
  sqlite3_stmt* stmt = Prepare(db_, sql);
  if (!stmt) return rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) row.push_back(ColumnValue(stmt, c));
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE)
    ADD_FAILURE() << "step failed: " << sqlite3_errmsg(db_) << "\n  in: " << sql;
  sqlite3_finalize(stmt);
  return rows;
}

std::vector<std::vector<std::optional<std::string>>> Db::Query(const std::string& sql) {
  std::vector<std::vector<std::optional<std::string>>> out;
  for (const Row& row : Rows(sql)) {
    std::vector<std::optional<std::string>> text;
    for (const Value& v : row) {
      if (v.type == SQLITE_NULL)
        text.emplace_back(std::nullopt);
      else if (v.type == SQLITE_INTEGER)
        text.emplace_back(std::to_string(v.i));
      else if (v.type == SQLITE_FLOAT) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", v.f);
        text.emplace_back(buf);
      } else
        text.emplace_back(v.s);
    }
    out.push_back(std::move(text));
  }
  return out;
}

int64_t Db::Int(const std::string& sql) {
  auto rows = Rows(sql);
  if (rows.empty() || rows[0].empty()) {
    ADD_FAILURE() << "no rows from: " << sql;
    return -1;
  }
  const Value& v = rows[0][0];
  if (v.type != SQLITE_INTEGER) ADD_FAILURE() << "not an integer (" << v.Describe() << "): " << sql;
  return v.i;
}

std::string Db::Text(const std::string& sql) {
  auto rows = Query(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) {
    ADD_FAILURE() << "no text from: " << sql;
    return {};
  }
  return *rows[0][0];
}

Value VNull() { return Value{}; }
Value VInt(int64_t v) { return Value{.type = SQLITE_INTEGER, .i = v}; }
Value VReal(double v) { return Value{.type = SQLITE_FLOAT, .f = v}; }
Value VText(std::string v) { return Value{.type = SQLITE_TEXT, .s = std::move(v)}; }
Value VBlob(std::string v) { return Value{.type = SQLITE_BLOB, .s = std::move(v)}; }

std::string QuoteId(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void WritePlan(const std::string& path, const std::string& source_db, const std::string& target_db,
               const std::string& extra) {
  WriteFile(path, "version: 1\nsource:\n  url: " + SqliteUrl(source_db) +
                      "\ntarget:\n  url: " + SqliteUrl(target_db) + "\n" + extra);
}

std::string CompareQuery(const std::string& source_db, const std::string& target_db,
                         const std::string& source_select, const std::string& target_select) {
  std::vector<Row> source, target;
  {
    Db db(source_db);
    source = db.Rows(source_select);
  }
  {
    Db db(target_db);
    target = db.Rows(target_select);
  }
  if (source.size() != target.size())
    return "source has " + std::to_string(source.size()) + " rows, target " +
           std::to_string(target.size()) + " (" + source_select + ")";
  for (size_t r = 0; r < source.size(); ++r) {
    if (source[r].size() != target[r].size())
      return "row " + std::to_string(r) + ": column counts differ";
    for (size_t c = 0; c < source[r].size(); ++c) {
      if (!(source[r][c] == target[r][c]))
        return "row " + std::to_string(r) + " column " + std::to_string(c) + ": source " +
               source[r][c].Describe() + ", target " + target[r][c].Describe() + " (" +
               source_select + ")";
    }
  }
  return "";
}

std::vector<std::string> TableNames(const std::string& db_path) {
  Db db(db_path);
  std::vector<std::string> names;
  for (const auto& row : db.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name "
                                  "NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"))
    names.push_back(row[0].value_or(""));
  return names;
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

size_t CountOf(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return 0;
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

}  // namespace peerlock::scenario
