// `peerlock sync` across dialects: MariaDB -> PostgreSQL, SQLite -> PostgreSQL, PostgreSQL ->
// MariaDB and PostgreSQL -> SQLite. Each: copy, then a writer's inserts, updates (one changing
// the primary key), deletes and multi-table transactions; a sync killed with SIGKILL between
// batches; the rest applied after a restart; `peerlock verify` equal and the independent
// aggregates of both sides equal. Also: a source transaction 60 times larger than a batch,
// applied in parts into one target transaction, atomic across a SIGKILL between parts.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/background_process.h"
#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario {
namespace {

namespace ts = test_servers;
using namespace std::chrono_literals;

enum class Dialect { kPostgres, kMariadb, kSqlite };

// One database of the test and how to run SQL on it.
struct Side {
  Dialect dialect = Dialect::kPostgres;
  std::string url;
  std::string mariadb_database;  // for RunMariadb
  std::string sqlite_path;

  std::string Run(const std::string& sql) const {
    switch (dialect) {
      case Dialect::kPostgres: return pg::Psql(url, sql);
      case Dialect::kMariadb: {
        ts::CommandResult r = ts::RunMariadb(mariadb_database, sql);
        EXPECT_EQ(r.exit_code, 0) << r.Describe();
        return r.out;
      }
      case Dialect::kSqlite: {
        Db db(sqlite_path);
        std::string out;
        EXPECT_TRUE(db.Exec(sql)) << sql;
        return out;
      }
    }
    return "";
  }

  // Counts and sums over both tables, each as a number printed with two decimals: the same
  // on equal sides whatever the dialect prints.
  std::string Aggregates() const {
    const std::vector<std::string> queries = {
        "SELECT count(*) FROM accounts", "SELECT sum(id) FROM accounts",
        "SELECT sum(balance) FROM accounts", "SELECT count(*) FROM events",
        "SELECT sum(n) FROM events"};
    std::string out;
    for (const std::string& q : queries) {
      std::string text;
      if (dialect == Dialect::kSqlite) {
        Db db(sqlite_path);
        text = db.Text(q);
      } else if (dialect == Dialect::kPostgres) {
        text = pg::Psql(url, q);
      } else {
        text = ts::RunMariadb(mariadb_database, q).out;
      }
      out += fmt::format("{:.2f} ", std::strtod(text.c_str(), nullptr));
    }
    return out;
  }
};

constexpr const char* kSchema =
    "CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner VARCHAR(40) NOT NULL, "
    "balance DECIMAL(12,2), note TEXT);"
    "CREATE TABLE events (k VARCHAR(20) NOT NULL, n INT NOT NULL, v TEXT, PRIMARY KEY (k, n));";

std::string InitialRows() {
  std::string sql = "INSERT INTO accounts VALUES ";
  for (int i = 1; i <= 300; ++i)
    sql += fmt::format("{}({}, 'owner {}', {}.25, {})", i > 1 ? "," : "", i, i, i,
                       i % 4 ? "'n'" : "NULL");
  sql += "; INSERT INTO events VALUES ";
  for (int i = 1; i <= 200; ++i)
    sql += fmt::format("{}('k{}', {}, 'v{}')", i > 1 ? "," : "", i % 20, i, i);
  return sql + ";";
}

std::string WriterSql(int round, int txns) {
  std::string sql;
  for (int i = 0; i < txns; ++i) {
    const int64_t base = round * 10000LL + i * 10;
    sql += fmt::format(
        "BEGIN;"
        "INSERT INTO accounts VALUES ({0}, 'w{1}', {2}.50, NULL);"
        "INSERT INTO events VALUES ('w{1}', {2}, 'x');"
        "UPDATE accounts SET balance = balance + 1 WHERE id = {3};"
        "COMMIT;"
        "UPDATE accounts SET id = {0} + 5 WHERE id = {0};"
        "DELETE FROM accounts WHERE id = {4};"
        "UPDATE events SET v = 'r{1}' WHERE k = 'k{5}' AND n = {6};",
        base, round, i, i % 300 + 1, (round * 31 + i * 7) % 300 + 1, i % 20, i % 20 + 20);
  }
  return sql;
}

// One source transaction of 600 row changes (inserts, updates, a key change, deletes of new and
// of copied rows, two tables): 60 times the plan's batch_changes of 10, so it reaches the target
// in parts, applied into one target transaction.
std::string HugeTransactionSql() {
  std::string sql = "BEGIN;";
  for (int i = 0; i < 200; ++i)
    sql += fmt::format("INSERT INTO accounts VALUES ({}, 'big', {}.75, NULL);", 90000 + i, i);
  sql +=
      "UPDATE accounts SET balance = balance + 2 WHERE id BETWEEN 90000 AND 90099;"
      "UPDATE accounts SET id = id + 500 WHERE id BETWEEN 90100 AND 90149;"
      "DELETE FROM accounts WHERE id BETWEEN 90150 AND 90199;"
      "DELETE FROM accounts WHERE id <= 100;";
  for (int i = 0; i < 100; ++i)
    sql += fmt::format("INSERT INTO events VALUES ('big', {}, 'b{}');", i, i);
  return sql + "COMMIT;";
}

class SyncAcrossDialects : public ::testing::Test {
 protected:
  Side Make(Dialect d, const std::string& suffix) {
    Side side{.dialect = d};
    switch (d) {
      case Dialect::kPostgres: side.url = pg::NewDb(suffix); break;
      case Dialect::kMariadb:
        side.mariadb_database = ts::TestDatabaseName().substr(0, 50) + "_" + suffix;
        side.url = ts::CreateMariadbDatabase(side.mariadb_database);
        break;
      case Dialect::kSqlite:
        side.sqlite_path = ws_.File(suffix + ".db");
        side.url = SqliteUrl(side.sqlite_path);
        break;
    }
    return side;
  }

  std::string EndpointYaml(const Side& side) {
    if (side.dialect == Dialect::kMariadb)
      return "{url: \"" + side.url + "\", password_env: " + ts::MariadbPasswordEnvName() + "}";
    return pg::EndpointYaml(side.url);
  }

  // Both sides with the schema and the initial rows on the source, a plan of batches of 10
  // changes, and a first sync that copied and caught up.
  void Start(Dialect from, Dialect to, Side& source, Side& target, RunResult& first) {
    source = Make(from, "src");
    target = Make(to, "tgt");
    source.Run(kSchema);
    source.Run(InitialRows());
    WriteFile(ws_.plan(), "source: " + EndpointYaml(source) + "\ntarget: " + EndpointYaml(target) +
                              "\nsync: {batch_changes: 10}\n");
    first = ws_.Run("sync", {"--until-caught-up"});
    ASSERT_EQ(first.exit_code, 0) << first.Describe();
  }

  void Run(Dialect from, Dialect to) {
    Side source, target;
    RunResult first;
    ASSERT_NO_FATAL_FAILURE(Start(from, to, source, target, first));
    source.Run(WriterSql(1, 30));
    RunResult killed =
        ws_.Run("sync", {"--until-caught-up"}, {{"PEERLOCK_FAULT", "sync.batch_applied:1"}});
    ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
    source.Run(WriterSql(2, 30));
    RunResult rest = ws_.Run("sync", {"--until-caught-up"});
    ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0)
        << verify.Describe() << first.Describe() << killed.Describe() << rest.Describe();
    EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
    std::string expected = source.Aggregates();
    EXPECT_EQ(target.Aggregates(), expected);
    EXPECT_NE(expected.find("3"), std::string::npos) << expected;  // not an empty answer
    RunResult drop = ws_.Run("sync", {"--drop"});
    EXPECT_EQ(drop.exit_code, 0) << drop.Describe();
  }

  // A source transaction far larger than a batch is applied in parts into one target
  // transaction: a sync killed after some parts leaves nothing of it on the target (atomic),
  // and the restarted sync applies it whole, once.
  // `fault` kills the first run: between parts by default, or right after the commit (the
  // source, not yet told, sends the whole transaction again: it is skipped, not held).
  void RunHugeTransaction(Dialect from, Dialect to,
                          const std::string& fault = "sync.part_applied:5") {
    Side source, target;
    RunResult first;
    ASSERT_NO_FATAL_FAILURE(Start(from, to, source, target, first));
    const std::string before = target.Aggregates();
    source.Run(HugeTransactionSql());
    RunResult killed = ws_.Run("sync", {"--until-caught-up"}, {{"PEERLOCK_FAULT", fault}});
    ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
    EXPECT_NE(killed.err.find("applying it in parts"), std::string::npos) << killed.Describe();
    if (fault.starts_with("sync.part_applied")) {  // died with the transaction open on the target
      EXPECT_EQ(target.Aggregates(), before) << "parts of an uncommitted transaction are visible";
    }
    RunResult rest = ws_.Run("sync", {"--until-caught-up"});
    ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe() << rest.Describe();
    EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
    const std::string expected = source.Aggregates();
    EXPECT_EQ(target.Aggregates(), expected);
    EXPECT_NE(expected, before);  // the transaction changed something to compare
    RunResult drop = ws_.Run("sync", {"--drop"});
    EXPECT_EQ(drop.exit_code, 0) << drop.Describe();
  }

  // A nullable column added on the source while the sync runs is followed: it appears on the
  // (PostgreSQL) target and carries the values written after it.
  void RunAddingAColumn(Dialect from) {
    Side source = Make(from, "src"), target = Make(Dialect::kPostgres, "tgt");
    source.Run(kSchema);
    source.Run(InitialRows());
    WriteFile(ws_.plan(),
              "source: " + EndpointYaml(source) + "\ntarget: " + EndpointYaml(target) + "\n");
    RunResult first = ws_.Run("sync", {"--until-caught-up"});
    ASSERT_EQ(first.exit_code, 0) << first.Describe();
    source.Run("UPDATE accounts SET balance = 7 WHERE id = 1;");
    source.Run("ALTER TABLE accounts ADD COLUMN tier VARCHAR(10);");
    source.Run(
        "INSERT INTO accounts (id, owner, balance, tier) VALUES (5001, 'new', 1.00, 'gold');"
        "UPDATE accounts SET tier = 'silver' WHERE id = 2;"
        "DELETE FROM accounts WHERE id = 3;");
    RunResult followed = ws_.Run("sync", {"--until-caught-up"});
    ASSERT_EQ(followed.exit_code, 0) << followed.Describe();
    EXPECT_NE(followed.err.find("added accounts.tier"), std::string::npos) << followed.Describe();
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe() << followed.Describe();
    EXPECT_EQ(pg::Psql(target.url,
                       "SELECT string_agg(id || ':' || coalesce(tier, '-'), ',' "
                       "ORDER BY id) FROM accounts WHERE id IN (1, 2, 3, 5001)"),
              "1:-,2:silver,5001:gold");
    EXPECT_EQ(pg::Psql(target.url, "SELECT balance FROM accounts WHERE id = 1"), "7.00");
    RunResult drop = ws_.Run("sync", {"--drop"});
    EXPECT_EQ(drop.exit_code, 0) << drop.Describe();
  }

  pg::Workspace ws_;
};

// A MariaDB server of the test's own (scripts/mariadb-server), so that it can be restarted
// without disturbing the shared one. Its `peerlock` user gets the shared server's password, so
// that the usual password_env serves.
class OwnMariadbServer {
 public:
  OwnMariadbServer() {
    static std::atomic<int> next{0};
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("peerlock-mdb-{}-{}", ::getpid(), next++);
    auto started = Script("start", {"--fast", "--owner-pid", std::to_string(::getpid())});
    if (started.exit_code != 0) throw std::runtime_error("own MariaDB: " + started.Describe());
    port_ = std::stoi(ReadFile((dir_ / "port").string()));
    // As MariaDB's root over the socket in the server's directory (no password there: the
    // shared server's, in MYSQL_PWD, is left out).
    auto login = ts::RunCommand(
        {"env", "-u", "MYSQL_PWD", "mariadb", "--no-defaults", "--protocol=socket",
         "--socket=" + (dir_ / "mysqld.sock").string(), "-u", "root", "-e",
         "ALTER USER 'peerlock'@'%' IDENTIFIED BY '" + ts::MariadbPassword() +
             "'; ALTER USER 'peerlock'@'localhost' IDENTIFIED BY '" + ts::MariadbPassword() + "'"});
    if (login.exit_code != 0) throw std::runtime_error("own MariaDB: " + login.Describe());
  }
  ~OwnMariadbServer() { Script("stop", {}); }
  OwnMariadbServer(const OwnMariadbServer&) = delete;
  OwnMariadbServer& operator=(const OwnMariadbServer&) = delete;

  std::string Url(const std::string& database) const {
    return fmt::format("mysql://peerlock@127.0.0.1:{}/{}", port_, database);
  }
  // Runs SQL as `peerlock` (MYSQL_PWD holds the shared password); fails the test on an error.
  std::string Sql(const std::string& database, const std::string& sql) const {
    auto r = ts::RunCommand({"mariadb", "--no-defaults", "--protocol=TCP", "-h", "127.0.0.1", "-P",
                             std::to_string(port_), "-u", "peerlock", "--batch",
                             "--skip-column-names", "-D", database, "-e", sql});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }
  void Restart() {
    auto r = Script("restart", {});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

 private:
  ts::CommandResult Script(const std::string& command, std::vector<std::string> options) const {
    std::vector<std::string> argv = {std::string(PEERLOCK_SOURCE_DIR) + "/scripts/mariadb-server",
                                     command, dir_.string()};
    argv.insert(argv.end(), options.begin(), options.end());
    return ts::RunCommand(argv);
  }

  std::filesystem::path dir_;
  int port_ = 0;
};

// The MariaDB source restarts while the sync follows its binary log (an upgrade, a restart in
// place): the running sync reconnects from the position the target holds and converges, with no
// change lost or applied twice.
TEST(MariadbSyncSourceRestart, TheRunningSyncReconnectsAndConverges) {
  OwnMariadbServer server;
  const std::string database = "restart_source";
  server.Sql("mysql", "CREATE DATABASE " + database);
  server.Sql(database, kSchema);
  server.Sql(database, InitialRows());
  Side target{.dialect = Dialect::kPostgres, .url = pg::NewDb("mrtgt")};
  pg::Workspace ws;
  WriteFile(ws.plan(), "source: {url: \"" + server.Url(database) +
                           "\", password_env: " + ts::MariadbPasswordEnvName() + "}\ntarget: " +
                           pg::EndpointYaml(target.url) + "\nsync: {batch_changes: 10}\n");
  BackgroundProcess sync({PEERLOCK_BINARY, "sync", "--plan", ws.plan(), "--state", ws.state()},
                         ws.File("sync.log"));
  ASSERT_TRUE(WaitUntil([&] { return ws.Streaming(); }, 120s)) << sync.Log();
  server.Sql(database, WriterSql(1, 20));
  server.Restart();
  server.Sql(database, WriterSql(2, 20));
  auto source_aggregates = [&] {
    std::string out;
    for (const char* q : {"SELECT count(*) FROM accounts", "SELECT sum(id) FROM accounts",
                          "SELECT sum(balance) FROM accounts", "SELECT count(*) FROM events",
                          "SELECT sum(n) FROM events"})
      out += fmt::format("{:.2f} ", std::strtod(server.Sql(database, q).c_str(), nullptr));
    return out;
  };
  const std::string expected = source_aggregates();
  // The same process catches up by itself after the restart.
  ASSERT_TRUE(WaitUntil([&] { return target.Aggregates() == expected; }, 120s))
      << sync.Log() << "\nsource: " << expected << "\ntarget: " << target.Aggregates();
  pg::ExpectSurvivedTheRestart(sync, ws);
  if (HasFatalFailure()) return;
  EXPECT_NE(expected.find("3"), std::string::npos) << expected;  // not an empty answer
  EXPECT_EQ(ws.Run("sync", {"--drop"}).exit_code, 0);
}

TEST_F(SyncAcrossDialects, MariadbToPostgres) { Run(Dialect::kMariadb, Dialect::kPostgres); }
TEST_F(SyncAcrossDialects, SqliteToPostgres) { Run(Dialect::kSqlite, Dialect::kPostgres); }
TEST_F(SyncAcrossDialects, PostgresToMariadb) { Run(Dialect::kPostgres, Dialect::kMariadb); }
TEST_F(SyncAcrossDialects, PostgresToSqlite) { Run(Dialect::kPostgres, Dialect::kSqlite); }
TEST_F(SyncAcrossDialects, HugeTransactionPostgresToPostgres) {
  RunHugeTransaction(Dialect::kPostgres, Dialect::kPostgres);
}
TEST_F(SyncAcrossDialects, HugeTransactionCommittedThenKilledIsNotAppliedTwice) {
  RunHugeTransaction(Dialect::kPostgres, Dialect::kPostgres, "sync.batch_applied:1");
}
TEST_F(SyncAcrossDialects, HugeTransactionMariadbToPostgres) {
  RunHugeTransaction(Dialect::kMariadb, Dialect::kPostgres);
}
TEST_F(SyncAcrossDialects, HugeTransactionPostgresToMariadb) {
  RunHugeTransaction(Dialect::kPostgres, Dialect::kMariadb);
}
TEST_F(SyncAcrossDialects, HugeTransactionPostgresToSqlite) {
  RunHugeTransaction(Dialect::kPostgres, Dialect::kSqlite);
}
// sync.stop_at reached by a large transaction's last part: its parts, applied already, are
// rolled back, the sync stops before it, and a sync without stop_at applies it whole.
TEST_F(SyncAcrossDialects, HugeTransactionAtStopAtIsNotAppliedInPart) {
  Side source, target;
  RunResult first;
  ASSERT_NO_FATAL_FAILURE(Start(Dialect::kPostgres, Dialect::kPostgres, source, target, first));
  const std::string stop =
      pg::Psql(source.url, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')");
  const std::string before = target.Aggregates();
  source.Run(HugeTransactionSql());
  const std::string endpoints =
      "source: " + EndpointYaml(source) + "\ntarget: " + EndpointYaml(target) + "\n";
  WriteFile(ws_.plan(), endpoints + "sync: {batch_changes: 10, stop_at: \"" + stop + "Z\"}\n");
  RunResult stopped = ws_.Run("sync", {"--until-caught-up"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.Describe();
  EXPECT_NE(stopped.out.find("stopped: stop_at"), std::string::npos) << stopped.Describe();
  EXPECT_NE(stopped.err.find("applying it in parts"), std::string::npos) << stopped.Describe();
  EXPECT_EQ(target.Aggregates(), before) << "parts of a transaction past stop_at were kept";
  WriteFile(ws_.plan(), endpoints + "sync: {batch_changes: 10}\n");
  RunResult rest = ws_.Run("sync", {"--until-caught-up"});
  ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
  const std::string expected = source.Aggregates();
  EXPECT_EQ(target.Aggregates(), expected);
  EXPECT_NE(expected, before);
  RunResult drop = ws_.Run("sync", {"--drop"});
  EXPECT_EQ(drop.exit_code, 0) << drop.Describe();
}
// A stop (SIGTERM) between two parts: the sync ends cleanly with none of the transaction on the
// target, and the next sync applies it whole.
TEST_F(SyncAcrossDialects, HugeTransactionStoppedBetweenPartsIsRolledBack) {
  Side source, target;
  RunResult first;
  ASSERT_NO_FATAL_FAILURE(Start(Dialect::kPostgres, Dialect::kSqlite, source, target, first));
  const std::string before = target.Aggregates();
  source.Run(HugeTransactionSql());
  RunResult stopped =
      ws_.Run("sync", {"--until-caught-up"}, {{"PEERLOCK_FAULT", "sync.part_applied:3:TERM"}});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.Describe();
  EXPECT_NE(stopped.out.find("stopped: cancelled"), std::string::npos) << stopped.Describe();
  EXPECT_EQ(target.Aggregates(), before) << "parts of a stopped transaction were kept";
  RunResult rest = ws_.Run("sync", {"--until-caught-up"});
  ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
  EXPECT_EQ(target.Aggregates(), source.Aggregates());
  RunResult drop = ws_.Run("sync", {"--drop"});
  EXPECT_EQ(drop.exit_code, 0) << drop.Describe();
}
TEST_F(SyncAcrossDialects, MariadbSourceGainsANullableColumn) {
  RunAddingAColumn(Dialect::kMariadb);
}
TEST_F(SyncAcrossDialects, SqliteSourceGainsANullableColumn) { RunAddingAColumn(Dialect::kSqlite); }
TEST_F(SyncAcrossDialects, PostgresSourceGainsANullableColumn) {
  RunAddingAColumn(Dialect::kPostgres);
}

}  // namespace
}  // namespace peerlock::scenario
