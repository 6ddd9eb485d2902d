// Cutover freeze of a SQLite file (Session::Freeze; docs/cutover.md, "Freeze"): BEFORE
// INSERT/UPDATE/DELETE triggers on each table in scope that abort the statement. They live in
// the file, so the freeze holds for every connection and survives PeerLock dying; Frozen() is
// whether any is there. PeerLock's own writes pass: change apply runs with the connection's
// triggers off (sqlite_apply.cc), inside its one transaction, so the triggers never leave the
// file and no other connection sees it thawed. Introspect never lists them (_peerlock_ names).

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_sql.h"
#include "connectors/sqlite/sqlite_transaction.h"

namespace peerlock {
namespace {

constexpr const char* kRefusal =
    "database frozen by PeerLock for a cutover: writes go to the "
    "new database";
constexpr std::pair<const char*, const char*> kOperations[] = {
    {"INSERT", "ins"}, {"UPDATE", "upd"}, {"DELETE", "del"}};

// Sets the connection's busy timeout for its lifetime, then back to the session's.
class BusyTimeout {
 public:
  BusyTimeout(sqlite3* db, std::chrono::milliseconds timeout) : db_(db) {
    sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
  }
  ~BusyTimeout() { sqlite3_busy_timeout(db_, kSqliteBusyTimeoutMs); }
  BusyTimeout(const BusyTimeout&) = delete;
  BusyTimeout& operator=(const BusyTimeout&) = delete;

 private:
  sqlite3* db_;
};

}  // namespace

Result<std::vector<std::string>> SqliteSession::FreezeTriggers() {
  PL_ASSIGN(auto list, SqliteStatement::Prepare(db_, sql::kFreezeTriggers));
  std::vector<std::string> names;
  while (true) {
    PL_ASSIGN(bool row, list.Step());
    if (!row) return names;
    names.push_back(list.Text(0));
  }
}

Result<bool> SqliteSession::Frozen(const FreezeOptions& options) {
  (void)options;  // any table frozen means a freeze is in force
  PL_ASSIGN(auto triggers, FreezeTriggers());
  return !triggers.empty();
}

Result<FreezeReport> SqliteSession::Freeze(const FreezeOptions& options) {
  // BEGIN IMMEDIATE waits up to the grace for a writer in flight to commit; the triggers then
  // reach every connection at its next statement (the schema changed).
  BusyTimeout busy(db_, options.grace);
  auto frozen = InSqliteTransaction(*this, "BEGIN IMMEDIATE", [&]() -> Status {
    for (const auto& table : options.tables) {
      PL_ASSIGN(bool exists, TableExists(table));
      if (!exists)
        return Fail(Error(ErrorCode::kNotFound,
                          "table " + table + " is not in '" + path_ + "', so it cannot be frozen")
                        .WithHint("leave it out of the plan's tables, or restore it"));
      for (auto [op, suffix] : kOperations) {
        PL_TRY(Execute(fmt::format(
            "CREATE TRIGGER IF NOT EXISTS {} BEFORE {} ON {} BEGIN SELECT RAISE(ABORT, '{}'); END",
            dialect_.QuoteIdentifier("_peerlock_freeze_" + table + "_" + suffix), op,
            dialect_.QuoteIdentifier(table), kRefusal)));
      }
    }
    return {};
  });
  if (!frozen) return Fail(frozen.error().Context("freezing '" + path_ + "'"));
  return FreezeReport{.sessions_ended = 0,
                      .detail = fmt::format("'{}': writes to {} table(s) refused by triggers",
                                            path_, options.tables.size())};
}

Status SqliteSession::Thaw(const FreezeOptions& options) {
  (void)options;  // every freeze trigger goes, whatever the scope was when it was made
  return WithContext(InSqliteTransaction(*this, "BEGIN IMMEDIATE",
                                         [&]() -> Status {
                                           PL_ASSIGN(auto triggers, FreezeTriggers());
                                           for (const auto& name : triggers)
                                             PL_TRY(Execute("DROP TRIGGER IF EXISTS " +
                                                            dialect_.QuoteIdentifier(name)));
                                           return {};
                                         }),
                     "thawing '" + path_ + "'");
}

Result<std::vector<std::string>> SqliteSession::CheckFreeze(const FreezeOptions& options) {
  std::vector<std::string> findings;
  namespace fs = std::filesystem;
  fs::path file(path_), dir = fs::absolute(file).parent_path();
  // SQLite opens a file it may not write read-only; its directory takes the journal.
  if (sqlite3_db_readonly(db_, "main") != 0 || ::access(dir.c_str(), W_OK) != 0)
    findings.push_back(fmt::format(
        "'{}' cannot be frozen: the file and its directory must be writable by PeerLock (the "
        "freeze adds triggers); fix: give this user write access to both",
        path_));
  for (const auto& table : options.tables) {
    PL_ASSIGN(bool exists, TableExists(table));
    if (!exists)
      findings.push_back(
          fmt::format("table {} is not in '{}', so it cannot be frozen; fix: "
                      "leave it out of the plan's tables",
                      table, path_));
  }
  return findings;
}

}  // namespace peerlock
