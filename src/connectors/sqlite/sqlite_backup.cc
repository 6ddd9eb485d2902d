// SqliteSession::DumpDatabase / RestoreDump / PurgeTable, and the scratch database file a restore
// drill goes into by default (SqliteConnector::ScratchDatabaseUrl). Dumps go through SQLite's
// online backup API: the dump is a page-for-page copy of the database file as this session's read
// transaction sees it, so the digests read afterwards in the same transaction describe it
// exactly, while writers go on.
#include <filesystem>
#include <memory>

#include "base/log.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "connectors/sqlite/sqlite_errors.h"
#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_transaction.h"
#include "connectors/sqlite/sqlite_triggers_off.h"

namespace peerlock {
namespace {

inline constexpr char kSqliteDatabaseFormat[] = "sqlite-database";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// Copies every page of `from`'s main database into `to`'s.
Status CopyPages(sqlite3* to, sqlite3* from, const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (!backup) return Fail(SqliteError(to, sqlite3_errcode(to), what));
  int rc = sqlite3_backup_step(backup, -1);
  int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return Fail(SqliteError(to, rc, what));
  if (finished != SQLITE_OK) return Fail(SqliteError(to, finished, what));
  return {};
}

}  // namespace

std::optional<std::string> SqliteConnector::ScratchDatabaseUrl(const std::string& format,
                                                               const std::string& dir,
                                                               const std::string& name) const {
  namespace fs = std::filesystem;
  if (format != kSqliteDatabaseFormat) return std::nullopt;
  fs::path file = fs::path(dir) / (name + ".db");
  for (int n = 2; fs::exists(file); ++n)
    file = fs::path(dir) / (name + "-" + std::to_string(n) + ".db");
  return "sqlite://" + fs::absolute(file).string();
}

Result<std::string> SqliteSession::DumpDatabase(const std::string& path) {
  PL_TRY(BeginSnapshot());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, DbCloser> out(raw);
  if (rc != SQLITE_OK) return Fail(SqliteError(raw, rc, "creating the backup file " + path));
  PL_LOG_INFO("copying {} page by page into {}", endpoint_.Redacted(), path);
  PL_TRY(CopyPages(out.get(), db_, "backing up " + endpoint_.Redacted() + " into " + path));
  return std::string(kSqliteDatabaseFormat);
}

Status SqliteSession::RestoreDump(const std::string& path, const std::string& format) {
  if (format != kSqliteDatabaseFormat)
    return Fail(Error(ErrorCode::kUnsupported, "a " + format +
                                                   " backup cannot be restored into SQLite (" +
                                                   endpoint_.Redacted() + ")")
                    .WithHint("restore it into a database of the dialect it was taken from"));
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbCloser> in(raw);
  if (rc != SQLITE_OK) return Fail(SqliteError(raw, rc, "opening the restored dump " + path));
  return CopyPages(db_, in.get(), "restoring into " + endpoint_.Redacted());
}

Result<int64_t> SqliteSession::PurgeTable(const std::string& table) {
  // The freeze triggers of a retired source (and the legacy file's own triggers) stay quiet.
  TriggersOff off(db_);
  return InSqliteTransaction(*this, "BEGIN IMMEDIATE", [&]() -> Result<int64_t> {
    PL_TRY(Execute("DELETE FROM " + dialect_.QuoteIdentifier(table)));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  });
}

}  // namespace peerlock
