#include "connectors/sqlite/sqlite_statement.h"

#include <cmath>

#include "connectors/sqlite/sqlite_errors.h"

namespace peerlock {

Result<SqliteStatement> SqliteStatement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Fail(SqliteError(db, rc, "preparing '" + std::string(sql.substr(0, 200)) + "'"));
  }
  return SqliteStatement(db, stmt);
}

Status SqliteStatement::Bind(int index, const ValueView& v) {
  int rc = SQLITE_OK;
  switch (v.kind) {
    case ValueKind::kNull: rc = sqlite3_bind_null(stmt_, index); break;
    case ValueKind::kInt: rc = sqlite3_bind_int64(stmt_, index, v.i); break;
    case ValueKind::kFloat:
      // SQLite stores a NaN as NULL: refuse it rather than change the value silently.
      if (std::isnan(v.f))
        return Fail(Error(ErrorCode::kDataLoss, "SQLite cannot store NaN (it would become NULL)")
                        .WithHint("cast the column to text in the plan (cast: text), or fix "
                                  "the source row"));
      rc = sqlite3_bind_double(stmt_, index, v.f);
      break;
    case ValueKind::kText:
      // A null pointer would bind NULL: an empty string must stay an empty string.
      rc = sqlite3_bind_text64(stmt_, index, v.s.empty() ? "" : v.s.data(), v.s.size(),
                               SQLITE_STATIC, SQLITE_UTF8);
      break;
    case ValueKind::kBytes:
      rc = v.s.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                       : sqlite3_bind_blob64(stmt_, index, v.s.data(), v.s.size(), SQLITE_STATIC);
      break;
  }
  if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, "binding parameter"));
  return {};
}

Status SqliteStatement::BindText(int index, std::string_view text) {
  ValueView v;
  v.kind = ValueKind::kText;
  v.s = text;
  return Bind(index, v);
}

Status SqliteStatement::BindInt(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, "binding parameter"));
  return {};
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(
      SqliteError(db_, rc, "running '" + std::string(sqlite3_sql(stmt_)).substr(0, 200) + "'"));
}

Status SqliteStatement::Run() {
  while (true) {
    PL_ASSIGN(bool row, Step());
    if (!row) return {};
  }
}

std::string SqliteStatement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text), n) : std::string();
}

void SqliteStatement::AppendTo(int column, RowBatch& batch) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_NULL: batch.AddNull(); break;
    case SQLITE_INTEGER: batch.AddInt(sqlite3_column_int64(stmt_, column)); break;
    case SQLITE_FLOAT: batch.AddFloat(sqlite3_column_double(stmt_, column)); break;
    case SQLITE_TEXT: {
      const auto* text = sqlite3_column_text(stmt_, column);
      int n = sqlite3_column_bytes(stmt_, column);
      batch.AddText(std::string_view(reinterpret_cast<const char*>(text), n));
      break;
    }
    default: {
      const void* blob = sqlite3_column_blob(stmt_, column);
      int n = sqlite3_column_bytes(stmt_, column);
      batch.AddBytes(n ? std::string_view(static_cast<const char*>(blob), n) : std::string_view());
      break;
    }
  }
}

OwnedValue SqliteStatement::Owned(int column) const {
  RowBatch one(1);
  AppendTo(column, one);
  return OwnedValue::From(one.Get(0, 0));
}

}  // namespace peerlock
