#pragma once
// Helpers shared by the SQLite capture and apply tests: a temporary directory of real database
// files, a plain sqlite3 connection playing the application that writes to the source, and a
// readable rendering of cells and changes so assertions name what differs.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/strings.h"
#include "connector/connector.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "support/status_assertions.h"

namespace peerlock::sqlite_capture_test {

// The application: its own connection, foreign keys on, statements as a user would run them.
class Writer {
 public:
  explicit Writer(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 30000);
    Run("PRAGMA foreign_keys = ON");
  }
  ~Writer() { sqlite3_close(db_); }
  void Run(const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (message ? message : "");
    sqlite3_free(message);
  }
  int64_t Int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return value;
  }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pl-sqlite-cdc-XXXXXX");
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Result<std::unique_ptr<Session>> OpenSession(const std::string& path, bool read_only) {
  PL_ASSIGN(Endpoint endpoint, Endpoint::Parse("sqlite://" + path));
  return SqliteConnector().Connect(endpoint,
                                   SessionOptions{.read_only = read_only, .create = !read_only});
}

// Exact rendering: the kind and every byte of the value (control bytes of text as \xNN).
inline std::string Render(const ValueView& v) {
  switch (v.kind) {
    case ValueKind::kNull: return "null";
    case ValueKind::kInt: return "i:" + std::to_string(v.i);
    case ValueKind::kFloat: return "f:" + fmt::format("{}", v.f);  // shortest exact, "-0" kept
    case ValueKind::kText: {
      std::string out = "t:'";
      for (unsigned char c : v.s)
        out += c < 0x20 ? "\\x" + HexEncode(std::string(1, static_cast<char>(c)))
                        : std::string(1, static_cast<char>(c));
      return out + "'";
    }
    case ValueKind::kBytes: return "b:x" + HexEncode(v.s);
  }
  return "?";
}

inline std::string RenderRow(const RowBatch& batch, size_t row) {
  std::vector<std::string> cells;
  for (int c = 0; c < batch.columns(); ++c) cells.push_back(Render(batch.Get(row, c)));
  return "(" + Join(cells, ", ") + ")";
}

// "table kind (cells)" per change, in stream order.
inline std::vector<std::string> RenderChanges(const CaptureSpec& spec, const ChangeTxn& txn) {
  static const char* kKinds[] = {"insert", "update", "delete", "truncate"};
  std::vector<std::string> out;
  for (const auto& c : txn.changes) {
    std::string line = spec.tables[c.table].table + " " + kKinds[static_cast<int>(c.kind)];
    if (c.new_row >= 0) line += " " + RenderRow(txn.rows[c.table], c.new_row);
    if (c.old_key >= 0) line += " key " + RenderRow(txn.old_keys[c.table], c.old_key);
    out.push_back(line);
  }
  return out;
}

// The capture spec the engine would build: every non-generated column, the primary key.
inline Result<CaptureSpec> SpecFor(Session& source, const std::vector<std::string>& tables) {
  PL_ASSIGN(Catalog catalog, source.Introspect(false));
  CaptureSpec spec{.name = "peerlock_0badcafe"};
  for (const auto& name : tables)
    for (const auto& t : catalog.tables) {
      if (t.name != name) continue;
      CaptureTable ct{.table = t.name, .key = t.primary_key};
      for (const auto& c : t.columns)
        if (!c.generated) ct.columns.push_back(c.name);
      spec.tables.push_back(std::move(ct));
    }
  return spec;
}

// Every row of `table` (columns in order), ordered by `order`, rendered.
inline Result<std::vector<std::string>> ReadAll(Session& session, const std::string& table,
                                                const std::vector<std::string>& columns,
                                                const std::vector<std::string>& key) {
  ReadSpec spec{
      .table = table, .columns = columns, .key = KeySpec{.columns = key}, .order_by_key = true};
  PL_ASSIGN(auto source, session.Read(spec));
  std::vector<std::string> rows;
  RowBatch batch;
  while (true) {
    PL_ASSIGN(bool more, source->Next(batch));
    if (!more) break;
    for (size_t r = 0; r < batch.rows(); ++r) rows.push_back(RenderRow(batch, r));
  }
  return rows;
}

}  // namespace peerlock::sqlite_capture_test
