#pragma once
// Support for the end-to-end scenarios: they drive the real build/peerlock binary (a child
// process, fork + execve) against real SQLite files in throwaway directories. No mocks.
//
//   TempDir      a fresh directory under $TMPDIR (or /tmp), removed with everything in it.
//   RunPeerlock  runs the binary, captures stdout and stderr, returns the exit code or, when
//                a signal ended it, minus the signal number.
//   Db           a thin sqlite3 handle: Exec, Query (text), Rows (typed), Int, Text.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace peerlock::scenario {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const;

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = 0;  // the exit status, or -N when signal N ended the process
  std::string out;    // everything written to stdout
  std::string err;    // everything written to stderr

  // "exit 2\n--- stdout ---\n...\n--- stderr ---\n..." for assertion messages.
  std::string Describe() const;
};

using EnvList = std::vector<std::pair<std::string, std::string>>;

// Runs PEERLOCK_BINARY with `args`. The child inherits this process's environment minus
// PEERLOCK_FAULT, plus `env_extra` (which overrides inherited variables of the same name).
RunResult RunPeerlock(const std::vector<std::string>& args, const EnvList& env_extra = {});

// "sqlite://" + absolute path, i.e. sqlite:///abs/path.db.
std::string SqliteUrl(const std::string& absolute_path);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
bool FileExists(const std::string& path);

// One SQLite value with its storage class, compared exactly (doubles by bit pattern).
struct Value {
  int type = SQLITE_NULL;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL
  int64_t i = 0;
  double f = 0;
  std::string s;  // text or blob bytes

  bool operator==(const Value& other) const;
  std::string Describe() const;  // e.g. "INTEGER 7", "REAL 0.1 (0x3fb999999999999a)"
};
using Row = std::vector<Value>;

class Db {
 public:
  explicit Db(const std::string& path);  // opens read-write, creating the file
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements; fails the current test (ADD_FAILURE) on error and returns
  // false.
  bool Exec(const std::string& sql);
  // Like Exec but returns the error message ("" when it succeeded).
  std::string TryExec(const std::string& sql);
  // Runs `sql` with `params` bound as ?1.. (a Value each) once. For bulk inserts inside BEGIN.
  bool Run(const std::string& sql, const std::vector<Value>& params);
  // Every row of one statement, typed.
  std::vector<Row> Rows(const std::string& sql);
  // Every row of one statement, each value as sqlite3_column_text (NULL -> nullopt).
  std::vector<std::vector<std::optional<std::string>>> Query(const std::string& sql);
  // The first column of the first row as an integer / text (fails the test if there is none).
  int64_t Int(const std::string& sql);
  std::string Text(const std::string& sql);

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Typed values for Db::Run.
Value VNull();
Value VInt(int64_t v);
Value VReal(double v);
Value VText(std::string v);
Value VBlob(std::string v);

// Double-quotes an SQL identifier ("my ""quoted"" table").
std::string QuoteId(const std::string& name);

// Writes a plan file at `path` for sqlite:// `source_db` -> `target_db`; `extra` (YAML sections
// such as "copy:\n  chunk_rows: 1000\n") is appended verbatim.
void WritePlan(const std::string& path, const std::string& source_db, const std::string& target_db,
               const std::string& extra = "");

// Reads `select` (e.g. "SELECT * FROM t ORDER BY id") from both files and compares the rows
// exactly, storage class and bits included. Returns "" when equal, else the first difference.
std::string CompareQuery(const std::string& source_db, const std::string& target_db,
                         const std::string& source_select, const std::string& target_select);

// The user tables of a database file (sqlite_% excluded), sorted by name.
std::vector<std::string> TableNames(const std::string& db_path);

// Single-quotes an SQL string literal ('it''s').
std::string QuoteLiteral(const std::string& text);

// `text` split at '\n' (no trailing empty line).
std::vector<std::string> Lines(const std::string& text);

// Counts occurrences of `needle` in `haystack`.
size_t CountOf(const std::string& haystack, const std::string& needle);

}  // namespace peerlock::scenario
