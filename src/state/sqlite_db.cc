#include "state/sqlite_db.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace peerlock {
namespace {

// How long a statement outside a transaction is retried while another process holds the
// database (the busy timeout's length).
constexpr std::chrono::seconds kBusyPatience{30};

}  // namespace

// SQLite answers SQLITE_BUSY without waiting in the busy handler in a few cases (a journal mode
// change racing another process's first open; a snapshot gone stale): a statement outside any
// transaction took no effect and is simply run again, after a short pause growing to 100 ms.
bool StateDb::RetryBusy(int rc, int attempt, std::chrono::steady_clock::time_point since) const {
  if ((rc & 0xff) != SQLITE_BUSY || !sqlite3_get_autocommit(db_)) return false;
  if (std::chrono::steady_clock::now() - since > kBusyPatience) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(100, 5 << std::min(attempt, 5))));
  return true;
}

Error StateDb::Failure(int rc, const std::string& what) const {
  ErrorCode code = (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR ||
                           (rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN
                       ? ErrorCode::kIo
                       : ErrorCode::kDatabase;
  return Error(code, "state store " + path_ + ": " + what + ": " +
                         (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)))
      .WithNative("SQLite " + std::to_string(rc))
      .WithHint("check that the state directory is writable and the disk is not full");
}

Result<StateDb> StateDb::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  StateDb handle(db, path);
  if (rc != SQLITE_OK) return Fail(handle.Failure(rc, "cannot open"));
  sqlite3_busy_timeout(db, 30000);
  // WAL lets `peerlock status`/report read while a copy writes.
  PL_TRY(handle.Exec("PRAGMA journal_mode = WAL"));
  PL_TRY(handle.Exec("PRAGMA synchronous = NORMAL"));
  return handle;
}

Result<std::vector<std::vector<std::string>>> StateDb::Query(
    const std::string& sql, const std::vector<std::string>& params) {
  const auto since = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    int rc = SQLITE_OK;
    auto rows = QueryOnce(sql, params, rc);
    if (rows || !RetryBusy(rc, attempt, since)) return rows;
  }
}

Result<std::vector<std::vector<std::string>>> StateDb::QueryOnce(
    const std::string& sql, const std::vector<std::string>& params, int& rc) {
  sqlite3_stmt* stmt = nullptr;
  rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Fail(Failure(rc, "preparing query"));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i] == "\x01NULL")
      sqlite3_bind_null(stmt, static_cast<int>(i + 1));
    else
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].data(),
                        static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
  }
  std::vector<std::vector<std::string>> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* text = sqlite3_column_text(stmt, c);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return Fail(Failure(rc, "running query"));
  return rows;
}

Status StateDb::Exec(const std::string& sql, const std::vector<std::string>& params) {
  if (params.empty()) {
    const auto since = std::chrono::steady_clock::now();
    int rc = SQLITE_OK;
    for (int attempt = 0;
         (rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr)) != SQLITE_OK; ++attempt) {
      if (!RetryBusy(rc, attempt, since)) return Fail(Failure(rc, "running statement"));
    }
    return {};
  }
  PL_TRY(Query(sql, params));
  return {};
}

}  // namespace peerlock
