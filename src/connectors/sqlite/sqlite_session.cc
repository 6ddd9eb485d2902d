#include "connectors/sqlite/sqlite_session.h"

#include <filesystem>

#include "base/fault_points.h"
#include "base/strings.h"
#include "connectors/sqlite/sqlite_affinity.h"
#include "connectors/sqlite/sqlite_errors.h"
#include "connectors/sqlite/sqlite_sql.h"

namespace peerlock {

Result<std::unique_ptr<SqliteSession>> SqliteSession::Open(const Endpoint& endpoint,
                                                           const SessionOptions& options) {
  const std::string& path = endpoint.path();
  if (!options.create && !std::filesystem::exists(path))
    return Fail(Error(ErrorCode::kConnection, "SQLite database '" + path + "' does not exist")
                    .WithHint("check the path in the URL " + endpoint.Redacted()));
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(db, rc, "opening SQLite database '" + path + "'");
    sqlite3_close(db);
    return Fail(std::move(error));
  }
  auto session = std::unique_ptr<SqliteSession>(new SqliteSession(db, endpoint));
  sqlite3_busy_timeout(db, kSqliteBusyTimeoutMs);
  // Reading the schema proves the file is a database before any work is planned on it.
  PL_TRY(WithContext(session->Execute("SELECT count(*) FROM sqlite_schema"),
                     "opening '" + path + "'"));
  if (options.read_only) {
    PL_TRY(session->Execute("PRAGMA query_only = 1"));
  } else {
    // NORMAL is durable against a killed process (the failure resume promises to survive).
    PL_TRY(
        session->Execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; "
                         "PRAGMA cache_size = -65536"));
  }
  return session;
}

SqliteSession::~SqliteSession() { sqlite3_close(db_); }

Status SqliteSession::Execute(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (message) sqlite3_free(message);
  if (rc != SQLITE_OK)
    return Fail(SqliteError(db_, rc, "in '" + path_ + "' running '" + sql.substr(0, 300) + "'"));
  return {};
}

Status SqliteSession::BeginSnapshot() {
  if (in_snapshot_) return {};
  // A read transaction pins one version of the file for every read that follows.
  PL_TRY(Execute("BEGIN; SELECT count(*) FROM sqlite_schema"));
  in_snapshot_ = true;
  return {};
}

Status SqliteSession::EndSnapshot() {
  if (!in_snapshot_) return {};
  in_snapshot_ = false;
  return Execute("COMMIT");
}

Result<bool> SqliteSession::TableExists(const std::string& table) {
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(
                           db_, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1"));
  PL_TRY(stmt.BindText(1, table));
  return stmt.Step();
}

Result<bool> SqliteSession::TableIsEmpty(const std::string& table) {
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(
                           db_, "SELECT 1 FROM " + dialect_.QuoteIdentifier(table) + " LIMIT 1"));
  PL_ASSIGN(bool row, stmt.Step());
  return !row;
}

Status SqliteSession::EnsureBookkeeping() { return Execute(std::string(sql::kBookkeeping)); }

Result<int64_t> SqliteSession::LoadChunk(const std::string& table,
                                         const std::vector<std::string>& columns, RowSource& rows,
                                         const ChunkMarker& marker) {
  PL_TRY(EnsureBookkeeping());
  std::vector<std::string> params;
  for (size_t i = 1; i <= columns.size(); ++i) params.push_back("?" + std::to_string(i));
  std::string insert_sql = "INSERT INTO " + dialect_.QuoteIdentifier(table) + " (" +
                           dialect_.QuoteList(columns) + ") VALUES (" + Join(params, ", ") + ")";
  PL_ASSIGN(auto insert, SqliteStatement::Prepare(db_, insert_sql));
  PL_ASSIGN(SqliteWriteColumns target, DescribeWriteColumns(db_, table, columns));
  PL_TRY(Execute("BEGIN IMMEDIATE"));
  // Everything below either commits together with the marker or rolls back.
  auto load = [&]() -> Result<int64_t> {
    int64_t loaded = 0;
    RowBatch batch;
    while (true) {
      PL_ASSIGN(bool more, rows.Next(batch));
      if (!more) break;
      for (size_t r = 0; r < batch.rows(); ++r) {
        for (int c = 0; c < batch.columns(); ++c) {
          ValueView v = batch.Get(r, c);
          Status st = CheckStoredExactly(target.affinity[c], v);
          if (st) st = insert.Bind(c + 1, v);
          if (!st) {
            std::string key = DescribeRowKey(batch, r, target.key, columns);
            return Fail(st.error().Context("table " + table + " " + (key.empty() ? "" : key + " ") +
                                           "column '" + columns[c] + "' (row " +
                                           std::to_string(loaded + 1) + " of the chunk)"));
          }
        }
        PL_TRY(WithContext(insert.Run(), "inserting into " + table));
        insert.Reset();
        ++loaded;
        FaultPoint("copy.row_inserted");  // crash tests: die mid-transaction
      }
    }
    PL_ASSIGN(auto mark, SqliteStatement::Prepare(
                             db_,
                             "INSERT INTO _peerlock_chunks (run_id, table_name, chunk, rows, "
                             "digest) VALUES (?1, ?2, ?3, ?4, ?5)"));
    PL_TRY(mark.BindText(1, marker.run_id));
    PL_TRY(mark.BindText(2, marker.table));
    PL_TRY(mark.BindInt(3, marker.chunk));
    PL_TRY(mark.BindInt(4, loaded));
    PL_TRY(mark.BindText(5, marker.digest));
    PL_TRY(mark.Run());
    return loaded;
  };
  auto loaded = load();
  if (!loaded) {
    (void)Execute("ROLLBACK");  // the load error is the one worth reporting
    return loaded;
  }
  PL_TRY(Execute("COMMIT"));
  return loaded;
}

Result<std::vector<ChunkMarker>> SqliteSession::LoadedChunks(const std::string& run_id) {
  std::vector<ChunkMarker> markers;
  PL_ASSIGN(bool exists, TableExists("_peerlock_chunks"));
  if (!exists) return markers;
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(db_,
                                     "SELECT table_name, chunk, rows, digest FROM _peerlock_chunks "
                                     "WHERE run_id = ?1 ORDER BY table_name, chunk"));
  PL_TRY(stmt.BindText(1, run_id));
  while (true) {
    PL_ASSIGN(bool row, stmt.Step());
    if (!row) break;
    markers.push_back(ChunkMarker{.run_id = run_id,
                                  .table = stmt.Text(0),
                                  .chunk = static_cast<int>(stmt.Int(1)),
                                  .rows = stmt.Int(2),
                                  .digest = stmt.Text(3)});
  }
  return markers;
}

Status SqliteSession::ForgetChunks(const std::string& run_id) {
  PL_ASSIGN(bool exists, TableExists("_peerlock_chunks"));
  if (!exists) return {};
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(db_, "DELETE FROM _peerlock_chunks WHERE run_id = ?1"));
  PL_TRY(stmt.BindText(1, run_id));
  PL_TRY(stmt.Run());
  PL_ASSIGN(auto left, SqliteStatement::Prepare(db_, "SELECT 1 FROM _peerlock_chunks LIMIT 1"));
  PL_ASSIGN(bool any, left.Step());
  if (!any) return Execute("DROP TABLE _peerlock_chunks");
  return {};
}

Result<std::vector<std::string>> SqliteSession::CheckForeignKeys() {
  std::vector<std::string> problems;
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(
                           db_, "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check"));
  while (true) {
    PL_ASSIGN(bool row, stmt.Step());
    if (!row) break;
    problems.push_back(stmt.Text(0) + "(rowid " + stmt.Text(1) + ") -> " + stmt.Text(2));
    if (problems.size() >= 100) break;  // enough to act on; the count is what matters
  }
  return problems;
}

}  // namespace peerlock
