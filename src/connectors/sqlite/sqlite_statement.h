#pragma once
// RAII around sqlite3_stmt with Result-returning helpers. One thread at a time, like its
// connection. Bound text/blobs must outlive the step that uses them (SQLITE_STATIC binding:
// the bulk paths bind straight out of a RowBatch without copying).

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "base/error.h"
#include "core/key_range.h"
#include "core/row_batch.h"

namespace peerlock {

class SqliteStatement {
 public:
  static Result<SqliteStatement> Prepare(sqlite3* db, std::string_view sql);
  SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement() { sqlite3_finalize(stmt_); }

  // Binds `v` to parameter `index` (1-based) without copying its bytes.
  Status Bind(int index, const ValueView& v);
  Status BindText(int index, std::string_view text);
  Status BindInt(int index, int64_t value);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements without results).
  Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int columns() const { return sqlite3_column_count(stmt_); }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // Appends column `column` to `batch` with its storage class.
  void AppendTo(int column, RowBatch& batch) const;
  OwnedValue Owned(int column) const;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace peerlock
