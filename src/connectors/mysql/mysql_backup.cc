// MysqlSession::DumpDatabase / RestoreDump / PurgeTable: a mariadb-dump of the database, restored
// with the `mariadb` client. mariadb-dump cannot join another session's snapshot, so both
// snapshots are opened while commits are held (MariaDB: BACKUP STAGE BLOCK_COMMIT, which lets
// statements run and only holds their commits; MySQL: FLUSH TABLES WITH READ LOCK): this
// session's first, then the dump's. Commits are let through as soon as the dump's transaction
// exists, and the binlog position the dump recorded (--master-data=2) must equal this
// snapshot's: the backup's digests, read afterwards in this session, describe the dump exactly.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "base/cancel.h"
#include "base/log.h"
#include "base/process.h"
#include "base/strings.h"
#include "connectors/mysql/mysql_session.h"
#include "connectors/mysql/mysql_tools.h"

namespace peerlock {

inline constexpr char kMariadbSqlFormat[] = "mariadb-sql";

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// How long the dump may take to open its snapshot while commits wait; a server where it takes
// longer is overloaded, and holding every commit for longer would be an outage.
constexpr auto kSnapshotOpenLimit = std::chrono::seconds(60);

// The local port of `pid`'s TCP connection to `server_port`, or 0 while it has none: how the
// dump's session is told apart from other sessions of the same user (PROCESSLIST.HOST is
// "host:port"). Read from /proc: the socket inodes among the process's descriptors, matched in
// its network namespace's TCP tables.
int ClientPortOf(int pid, int server_port) {
  std::set<std::string> inodes;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator(fmt::format("/proc/{}/fd", pid), ec)) {
    std::error_code link_ec;
    const std::string target = fs::read_symlink(fd.path(), link_ec).string();
    if (!link_ec && StartsWith(target, "socket:[") && target.size() > 9)
      inodes.insert(target.substr(8, target.size() - 9));
  }
  if (inodes.empty()) return 0;
  auto port_of = [](const std::string& address) {
    const auto colon = address.rfind(':');
    return colon == std::string::npos
               ? 0
               : static_cast<int>(std::strtol(address.c_str() + colon + 1, nullptr, 16));
  };
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream in(fmt::format("/proc/{}/net/{}", pid, table));
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid timeout inode
      std::istringstream fields(line);
      std::string skip, local, remote, inode;
      fields >> skip >> local >> remote >> skip >> skip >> skip >> skip >> skip >> skip >> inode;
      if (inodes.count(inode) && port_of(remote) == server_port) return port_of(local);
    }
  }
  return 0;
}

bool IsMariadb(const MysqlConnection& conn) {
  return conn.server_version().find("MariaDB") != std::string::npos;
}

// The binlog position mariadb-dump wrote at the top of its script ("-- CHANGE MASTER TO
// MASTER_LOG_FILE='f', MASTER_LOG_POS=n;") as "f:n"; "" when it wrote none.
std::string DumpedBinlogPosition(const std::string& path) {
  static const std::regex kChangeMaster(
      R"(CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+))");
  std::ifstream in(path);
  std::string line;
  for (int n = 0; n < 200 && std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_search(line, m, kChangeMaster)) return m[1].str() + ":" + m[2].str();
  }
  return "";
}

// Holds every commit on the server from construction until Release (or destruction), on a
// connection of its own.
class CommitHold {
 public:
  static Result<std::unique_ptr<CommitHold>> Take(const Endpoint& endpoint) {
    PL_ASSIGN(auto conn, MysqlConnection::Open(endpoint, 120));
    const bool mariadb = IsMariadb(*conn);
    // A DDL or a long statement in the way fails the backup after a minute, rather than
    // holding every commit behind it.
    PL_TRY(conn->Execute("SET SESSION lock_wait_timeout = 60"));
    Status held = conn->Execute(mariadb ? "BACKUP STAGE START" : "FLUSH TABLES WITH READ LOCK");
    if (held && mariadb) held = conn->Execute("BACKUP STAGE BLOCK_COMMIT");
    if (!held) {
      Error e = held.error();
      e.WithHint(
          "the backup holds commits for the moment its two snapshots open; it needs "
          "the RELOAD privilege (GRANT RELOAD, PROCESS ON *.* TO '" +
          endpoint.user() +
          "'@'%') and no long-running DDL in the way; run it again once that holds");
      return Fail(e);
    }
    PL_ASSIGN(auto id, conn->Query("SELECT CONNECTION_ID(), SUBSTRING_INDEX(USER(), '@', 1)"));
    auto hold = std::unique_ptr<CommitHold>(new CommitHold(std::move(conn), mariadb));
    hold->connection_id_ = ParseInt64(id.at(0).at(0).value_or("0")).value_or(0);
    hold->user_ = id.at(0).at(1).value_or("");
    hold->since_ = Clock::now();
    return hold;
  }
  ~CommitHold() { (void)Release(); }

  // True once the dump's session has an open transaction: a session opened after the hold, as
  // our user, other than `ours`, and from `client_port` when it is not 0 (a TCP connection).
  // Read from SHOW ENGINE INNODB STATUS (PROCESS privilege), which is live: INNODB_TRX is a
  // cache that a reader polling it more often than every 0.1 s never sees refreshed.
  Result<bool> DumpSnapshotOpen(int64_t ours, int client_port) {
    PL_ASSIGN(auto sessions,
              conn_->Query(fmt::format(
                  "SELECT ID FROM information_schema.PROCESSLIST WHERE ID > {} AND ID <> {} AND "
                  "USER = {}{}",
                  connection_id_, ours, conn_->Literal(user_),
                  client_port ? fmt::format(" AND HOST LIKE '%:{}'", client_port) : "")));
    if (sessions.empty()) return false;
    PL_ASSIGN(auto status, conn_->Query("SHOW ENGINE INNODB STATUS"));
    const std::string text =
        status.empty() || status[0].size() < 3 ? std::string() : status[0][2].value_or("");
    // "---TRANSACTION 421, ACTIVE 0 sec\n...\nMariaDB thread id 218, OS thread handle ..."
    // ("MySQL thread id" on MySQL); a session without a transaction is "not started".
    size_t at = 0;
    while ((at = text.find("---TRANSACTION", at)) != std::string::npos) {
      const size_t next = text.find("---TRANSACTION", at + 1);
      const std::string block = text.substr(at, next == std::string::npos ? next : next - at);
      at = next;
      if (block.substr(0, block.find('\n')).find("ACTIVE") == std::string::npos) continue;
      for (const auto& row : sessions)
        if (block.find(" thread id " + row.at(0).value_or("?") + ",") != std::string::npos)
          return true;
    }
    return false;
  }

  Status Release() {
    if (!conn_) return {};
    auto conn = std::move(conn_);
    PL_LOG_INFO("commits were held for {:.0f} ms while the backup's snapshots opened",
                std::chrono::duration<double, std::milli>(Clock::now() - since_).count());
    // Closing the connection releases the hold too, should the statement fail.
    return conn->Execute(mariadb_ ? "BACKUP STAGE END" : "UNLOCK TABLES");
  }

 private:
  CommitHold(std::unique_ptr<MysqlConnection> conn, bool mariadb)
      : conn_(std::move(conn)), mariadb_(mariadb) {}

  std::unique_ptr<MysqlConnection> conn_;
  bool mariadb_;
  int64_t connection_id_ = 0;
  std::string user_;
  Clock::time_point since_;
};

Error DumpFailed(const Endpoint& endpoint, const std::string& why) {
  return Error(ErrorCode::kDatabase, "mariadb-dump of " + endpoint.Redacted() + " failed: " + why)
      .WithHint(
          "mariadb-dump needs SELECT, SHOW VIEW, TRIGGER, EVENT and (with a binary log) "
          "BINLOG MONITOR on the database; run the backup as its owner or grant them");
}

}  // namespace

Result<std::string> MysqlSession::DumpDatabase(const std::string& path) {
  const Endpoint& endpoint = conn_->endpoint();
  PL_ASSIGN(auto hold, CommitHold::Take(endpoint));
  PL_TRY(BeginSnapshot());
  PL_ASSIGN(auto id, conn_->Query("SELECT CONNECTION_ID()"));
  const int64_t ours = ParseInt64(id.at(0).at(0).value_or("0")).value_or(0);
  const bool binlog = !snapshot_position_.empty();

  std::vector<std::string> dump = {"mariadb-dump"};
  for (std::string& arg : MysqlToolArgs(endpoint)) dump.push_back(std::move(arg));
  for (const char* option :
       {"--single-transaction", "--quick", "--no-tablespaces", "--routines", "--events",
        "--triggers", "--hex-blob", "--default-character-set=utf8mb4"})
    dump.emplace_back(option);
  // The position of its snapshot, commented out: the proof that it is ours.
  if (binlog) dump.emplace_back("--master-data=2");
  dump.push_back("--result-file=" + path);
  dump.push_back(endpoint.database());
  PL_LOG_INFO("dumping {} with mariadb-dump at binlog position {}", endpoint.Redacted(),
              binlog ? snapshot_position_ : "(no binary log)");

  // Over TCP the dump's session is found by its client port; over a socket by its user alone.
  const bool tcp = endpoint.host() != "localhost" && endpoint.param("socket").empty();
  CancelFlag stop;
  std::atomic<int> pid{0};
  auto running = std::async(std::launch::async, [&] {
    // A timeout only so that `stop` can end it; the dump itself may take as long as it needs.
    return RunProcessWithin(dump, {.extra_env = MysqlToolEnv(endpoint),
                                   .timeout = std::chrono::hours(24 * 365),
                                   .max_output = 64 * 1024,
                                   .cancel = &stop,
                                   .started_pid = &pid});
  });
  const auto deadline = Clock::now() + kSnapshotOpenLimit;
  Status waited = {};
  bool announced = false;
  while (running.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready) {
    if (Clock::now() > deadline) {
      waited = Fail(DumpFailed(endpoint,
                               "it did not open its snapshot within 60 s while "
                               "commits were held"));
      break;
    }
    int client_port = 0;
    if (tcp && (pid.load() == 0 || !(client_port = ClientPortOf(pid.load(), endpoint.port()))))
      continue;  // not connected yet
    if (client_port && !announced) {
      PL_LOG_DEBUG("mariadb-dump (pid {}) connected from port {}", pid.load(), client_port);
      announced = true;
    }
    auto open = hold->DumpSnapshotOpen(ours, client_port);
    if (!open) {
      Error e = open.error();
      e.WithHint(
          "the backup watches for the dump's transaction in SHOW ENGINE INNODB STATUS, which "
          "needs the PROCESS privilege: GRANT PROCESS ON *.* TO '" +
          endpoint.user() + "'@'%'");
      waited = Fail(e);
      break;
    }
    if (*open) {
      PL_LOG_DEBUG("mariadb-dump's transaction is open");
      break;
    }
  }
  Status released = hold->Release();
  if (!waited || !released) stop.Cancel();
  auto finished = running.get();
  PL_TRY(waited);
  PL_TRY(released);
  if (!finished) return std::unexpected(finished.error());
  if (finished->exit_code != 0) return Fail(DumpFailed(endpoint, FirstLines(finished->err, 3)));
  if (binlog) {
    const std::string dumped = DumpedBinlogPosition(path);
    if (dumped != snapshot_position_)
      return Fail(Error(ErrorCode::kBlocked,
                        "the dump of " + endpoint.Redacted() + " was taken at binlog position " +
                            (dumped.empty() ? "(none)" : dumped) + ", not at the backup's " +
                            snapshot_position_ + ": its digests would not describe it")
                      .WithHint("another session of user '" + endpoint.user() +
                                "' opened a transaction as the dump connected over a socket; "
                                "run the backup again, over TCP or as an account of its own"));
  }
  return std::string(kMariadbSqlFormat);
}

Status MysqlSession::RestoreDump(const std::string& path, const std::string& format) {
  const Endpoint& endpoint = conn_->endpoint();
  if (format != kMariadbSqlFormat)
    return Fail(Error(ErrorCode::kUnsupported, "a " + format +
                                                   " backup cannot be restored into MariaDB (" +
                                                   endpoint.Redacted() + ")")
                    .WithHint("restore it into a database of the dialect it was taken from"));
  std::vector<std::string> restore = {"mariadb"};
  for (std::string& arg : MysqlToolArgs(endpoint)) restore.push_back(std::move(arg));
  // --binary-mode: a value holding "\0" or a backslash sequence is data, not a client command.
  restore.emplace_back("--binary-mode");
  restore.emplace_back("--batch");
  restore.push_back("--database=" + endpoint.database());
  PL_LOG_INFO("restoring into {} with the mariadb client", endpoint.Redacted());
  PL_ASSIGN(ProcessResult restored, RunProcessWithin(restore, {.extra_env = MysqlToolEnv(endpoint),
                                                               .stdin_path = path,
                                                               .max_output = 64 * 1024}));
  if (restored.exit_code != 0)
    return Fail(Error(ErrorCode::kDatabase, "restoring into " + endpoint.Redacted() +
                                                " failed: " + FirstLines(restored.err, 4))
                    .WithHint("the destination must be an empty database PeerLock's user may "
                              "create tables, routines, triggers and events in; drop what the "
                              "failed restore left and run again"));
  return {};
}

Result<int64_t> MysqlSession::PurgeTable(const std::string& table) {
  PL_TRY(Execute("START TRANSACTION"));
  auto deleted = Execute("DELETE FROM " + dialect_.QuoteIdentifier(table));
  if (!deleted) {
    (void)Execute("ROLLBACK");
    Error e = deleted.error();
    // A source frozen by the cutover (read_only) refuses an account without READ_ONLY ADMIN.
    if (e.message().find("read-only") != std::string::npos ||
        e.message().find("read_only") != std::string::npos)
      e.WithHint(
          "the server is read-only (the cutover's freeze); purge as an account with "
          "READ_ONLY ADMIN (GRANT READ_ONLY ADMIN ON *.* TO '" +
          conn_->endpoint().user() + "'@'%'), or SET GLOBAL read_only = OFF first");
    return Fail(e);
  }
  const auto rows = static_cast<int64_t>(mysql_affected_rows(conn_->handle()));
  PL_TRY(Execute("COMMIT"));
  return rows;
}

}  // namespace peerlock
