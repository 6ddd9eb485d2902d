// Cutover freeze of a MariaDB/MySQL server (Session::Freeze; docs/cutover.md, "Freeze"):
// SET GLOBAL read_only, which refuses every write, and every commit of a transaction that
// wrote, of accounts without READ_ONLY ADMIN (SUPER too before MariaDB 10.11 and on MySQL).
// PeerLock's account needs that privilege to set read_only at all, so PeerLock's own sessions
// keep writing. read_only is server-wide and is its own persistent state: a PeerLock killed
// anywhere finds it with Frozen().

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "connectors/mysql/mysql_session.h"
#include "connectors/mysql/mysql_sql.h"

namespace peerlock {
namespace {

constexpr unsigned kLockWaitTimeout = 1205;  // ER_LOCK_WAIT_TIMEOUT
constexpr unsigned kAccessDenied = 1227;     // ER_SPECIFIC_ACCESS_DENIED_ERROR
constexpr unsigned kUnknownThread = 1094;    // ER_NO_SUCH_THREAD: it ended meanwhile

// Whether SUPER writes through read_only on this server: MySQL, and MariaDB before 10.11
// (where READ_ONLY ADMIN became a privilege of its own).
bool SuperWritesThroughReadOnly(const std::string& version) {
  if (version.find("MariaDB") == std::string::npos) return true;
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2) return true;
  return major < 10 || (major == 10 && minor < 11);
}

std::string ReadOnlyPrivilege(const std::string& version) {
  return SuperWritesThroughReadOnly(version) ? "SUPER" : "READ_ONLY ADMIN";
}

}  // namespace

Result<bool> MysqlSession::Frozen(const FreezeOptions& options) {
  (void)options;  // the whole server is frozen, not tables
  PL_ASSIGN(auto rows, conn_->Query("SELECT @@global.read_only"));
  return !rows.empty() && !rows[0].empty() && rows[0][0].value_or("0") == "1";
}

Result<FreezeReport> MysqlSession::Freeze(const FreezeOptions& options) {
  // SET GLOBAL read_only waits for running statements (not for idle transactions: their
  // COMMIT is refused); lock_wait_timeout bounds that wait by the grace.
  auto seconds = std::max<int64_t>(1, (options.grace.count() + 999) / 1000);
  PL_TRY(Execute(fmt::format("SET SESSION lock_wait_timeout = {}", seconds)));
  auto frozen = Execute("SET GLOBAL read_only = ON");
  int killed = 0;
  if (!frozen && mysql_errno(conn_->handle()) == kLockWaitTimeout) {
    // Past the grace: end other accounts' statements and transactions, then once more.
    PL_ASSIGN(auto blockers, conn_->Query(std::string(sql::kFreezeBlockers)));
    for (const auto& row : blockers) {
      if (row.empty() || !row[0]) continue;
      auto st = Execute("KILL CONNECTION " + *row[0]);
      if (st)
        ++killed;
      else if (mysql_errno(conn_->handle()) != kUnknownThread)
        return Fail(st.error().Context("ending a session that holds up the freeze"));
    }
    frozen = Execute("SET GLOBAL read_only = ON");
  }
  (void)Execute("SET SESSION lock_wait_timeout = DEFAULT");  // only this session; best effort
  if (!frozen) {
    Error e = frozen.error();
    e.Context("freezing " + conn_->endpoint().Redacted() + " (SET GLOBAL read_only = ON)");
    if (mysql_errno(conn_->handle()) == kLockWaitTimeout)
      e.WithHint(
          "a statement of PeerLock's own account, or a lock (LOCK TABLES, FLUSH TABLES "
          "WITH READ LOCK), held read_only off past the grace: find it in SHOW "
          "PROCESSLIST, end it, then rerun");
    return Fail(std::move(e));
  }
  return FreezeReport{
      .sessions_ended = killed,
      .detail = fmt::format("server {}: read_only = ON (server-wide); {} connection(s) killed",
                            conn_->endpoint().Redacted(), killed)};
}

Status MysqlSession::Thaw(const FreezeOptions& options) {
  (void)options;
  return WithContext(Execute("SET GLOBAL read_only = OFF"),
                     "thawing " + conn_->endpoint().Redacted());
}

Result<std::vector<std::string>> MysqlSession::CheckFreeze(const FreezeOptions& options) {
  (void)options;
  std::vector<std::string> findings;
  const std::string version = conn_->server_version();
  const std::string privilege = ReadOnlyPrivilege(version);
  PL_ASSIGN(auto me, conn_->Query("SELECT CURRENT_USER()"));
  std::string account = me.empty() || me[0].empty() ? "?" : me[0][0].value_or("?");
  auto at = account.rfind('@');
  std::string grantee = at == std::string::npos
                            ? account
                            : "'" + account.substr(0, at) + "'@'" + account.substr(at + 1) + "'";
  // Setting read_only to the value it has changes nothing, yet is checked like a freeze
  // (privileges granted through roles included).
  if (!Execute("SET GLOBAL read_only = @@global.read_only")) {
    if (mysql_errno(conn_->handle()) != kAccessDenied)
      return Fail(conn_->LastError("checking whether " + grantee + " may set read_only"));
    findings.push_back(fmt::format(
        "account {} cannot freeze {}: SET GLOBAL read_only needs {}; fix: GRANT {} ON *.* TO {}",
        grantee, conn_->endpoint().Redacted(), privilege, privilege, grantee));
  }
  // Other accounts' privileges are visible with SELECT on the mysql schema only.
  if (!conn_->Query("SELECT 1 FROM mysql.user LIMIT 1")) {
    findings.push_back(fmt::format(
        "account {} cannot see which accounts write through read_only (their writes are not "
        "stopped by a freeze); fix: GRANT SELECT ON mysql.* TO {}",
        grantee, grantee));
    return findings;
  }
  PL_TRY(Execute(
      fmt::format("SET @peerlock_super_writes = {}", SuperWritesThroughReadOnly(version) ? 1 : 0)));
  PL_ASSIGN(auto writers, conn_->Query(std::string(sql::kFreezeWriters)));
  for (const auto& row : writers) {
    if (row.size() < 2 || !row[0]) continue;
    findings.push_back(fmt::format(
        "account {} holds {}: its writes go through a freeze (read_only does not stop it); "
        "fix: if an application uses it, REVOKE {} ON *.* FROM {} before the cutover",
        *row[0], row[1].value_or(""), row[1].value_or(""), *row[0]));
  }
  return findings;
}

}  // namespace peerlock
