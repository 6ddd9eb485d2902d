// `peerlock proxy` in front of the throwaway servers: real libpq and MariaDB Connector/C
// clients connect through it, are held, switched to a second PostgreSQL cluster, timed out
// and drained.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "support/running_proxy.h"
#include "support/test_servers.h"

namespace peerlock {
namespace {

namespace ts = test_servers;
using std::chrono::milliseconds;
using testing::RunningProxy;

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// Connects through `port` as the test superuser; connect_timeout bounds a hang.
PgConn PgConnect(int port, const std::string& password = ts::PgPassword()) {
  std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) +
                         " user=peerlock dbname=postgres sslmode=disable connect_timeout=20 "
                         "password=" +
                         password;
  return PgConn(PQconnectdb(conninfo.c_str()), &PQfinish);
}

// The single value of `sql`, or "ERROR: ..." when it fails.
std::string PgValue(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  std::string out;
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_TUPLES_OK && PQntuples(result) == 1)
    out = PQgetvalue(result, 0, 0);
  else if (status != PGRES_COMMAND_OK)
    out = std::string("ERROR: ") + PQerrorMessage(conn);
  PQclear(result);
  return out;
}

// A second, throwaway PostgreSQL cluster (scripts/pg-cluster) with the same superuser password
// as the first, as a migration target would have; stopped on destruction, and by its watchdog
// if this process dies first.
class SecondCluster {
 public:
  SecondCluster() {
    dir_ = std::filesystem::temp_directory_path() /
           ("peerlock-proxy-pgb-" + std::to_string(::getpid()));
    auto started =
        ts::RunCommand({std::string(PEERLOCK_SOURCE_DIR) + "/scripts/pg-cluster", "start",
                        dir_.string(), "--fast", "--owner-pid", std::to_string(::getpid())});
    if (started.exit_code != 0) throw std::runtime_error(started.Describe());
    port_ = std::stoi(ReadFile("port"));
    std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) +
                           " user=peerlock dbname=postgres password=" + ReadFile("password");
    PgConn admin(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (PQstatus(admin.get()) != CONNECTION_OK) throw std::runtime_error("cluster B: no login");
    std::string same =
        PgValue(admin.get(), "ALTER ROLE peerlock PASSWORD '" + ts::PgPassword() + "'");
    if (!same.empty()) throw std::runtime_error("cluster B: " + same);
  }
  ~SecondCluster() {
    ts::RunCommand(
        {std::string(PEERLOCK_SOURCE_DIR) + "/scripts/pg-cluster", "stop", dir_.string()});
  }
  int port() const { return port_; }

 private:
  std::string ReadFile(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::string value;
    std::getline(in, value);
    return value;
  }
  std::filesystem::path dir_;
  int port_ = 0;
};

TEST(ProxyPostgres, LibpqRunsQueriesThroughTheProxy) {
  RunningProxy proxy(ts::PgPort());
  PgConn conn = PgConnect(proxy.port());
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  EXPECT_EQ(PgValue(conn.get(), "SHOW port"), std::to_string(ts::PgPort()));
  EXPECT_EQ(PgValue(conn.get(), "CREATE TEMP TABLE t AS SELECT g FROM generate_series(1, 50000) g"),
            "");
  EXPECT_EQ(PgValue(conn.get(), "SELECT sum(g) FROM t"), "1250025000");
  EXPECT_EQ(PgValue(conn.get(), "SELECT length(string_agg(g::text, ',')) FROM t"), "288893");
  conn.reset();
  ProxyStatus status = proxy.WaitFor([](const ProxyStatus& s) { return s.active == 0; });
  EXPECT_EQ(status.accepted, 1);
  EXPECT_GT(status.bytes_to_client, 0);
}

TEST(ProxyPostgres, AHeldClientWaitsThenLandsOnTheSwitchedCluster) {
  SecondCluster b;
  RunningProxy proxy(ts::PgPort());
  PgConn before = PgConnect(proxy.port());
  ASSERT_EQ(PQstatus(before.get()), CONNECTION_OK) << PQerrorMessage(before.get());
  ASSERT_EQ(PgValue(before.get(), "SHOW port"), std::to_string(ts::PgPort()));

  ASSERT_TRUE(proxy.control().Hold().has_value());
  std::string held_port;
  std::thread held([&] {
    PgConn conn = PgConnect(proxy.port());  // blocks while the proxy holds it
    held_port = PQstatus(conn.get()) == CONNECTION_OK ? PgValue(conn.get(), "SHOW port")
                                                      : PQerrorMessage(conn.get());
  });
  proxy.WaitFor([](const ProxyStatus& s) { return s.held == 1; });
  auto switched = proxy.control().Switch({"127.0.0.1", b.port()});
  ASSERT_TRUE(switched.has_value()) << switched.error().ToString();
  ASSERT_TRUE(proxy.control().Release().has_value());
  held.join();
  EXPECT_EQ(held_port, std::to_string(b.port()));
  // The connection made before the switch still talks to the first cluster.
  EXPECT_EQ(PgValue(before.get(), "SHOW port"), std::to_string(ts::PgPort()));
  PgConn after = PgConnect(proxy.port());
  EXPECT_EQ(PgValue(after.get(), "SHOW port"), std::to_string(b.port()));
  EXPECT_EQ(proxy.control().Status().value().switches, 1);
}

TEST(ProxyPostgres, AHoldPastTheTimeoutGivesTheClientAnError) {
  RunningProxy proxy(ts::PgPort(), /*hold_timeout=*/milliseconds(300), milliseconds(5'000),
                     WireProtocol::kPostgres);
  ASSERT_TRUE(proxy.control().Hold().has_value());
  PgConn conn = PgConnect(proxy.port());
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_BAD);
  // libpq shows the proxy's reason, not a reset connection.
  EXPECT_NE(std::string(PQerrorMessage(conn.get()))
                .find("peerlock proxy: the database is being switched (cutover or rollback) and "
                      "this connection waited 300 ms"),
            std::string::npos)
      << PQerrorMessage(conn.get());
  EXPECT_EQ(proxy.control().Status().value().hold_timeouts, 1);
}

constexpr const char* kGraceOver =
    "peerlock proxy: the database is being switched (cutover or rollback); this session was "
    "still open 200 ms after the switch began";

// Drains `proxy`: the grace ends with exactly one connection still in flight, closed. The
// drain's answer goes to `status` when given.
void DrainClosingOne(RunningProxy& proxy, ProxyStatus* status = nullptr) {
  auto drained = proxy.control().Drain();
  ASSERT_TRUE(drained.has_value()) << drained.error().ToString();
  EXPECT_EQ(drained->drain_closed, 1);
  if (status) *status = *drained;
}

// An open transaction past the grace: its next statement fails with the proxy's reason, as
// when PostgreSQL itself ends a session (FATAL 57P01), and the transaction is rolled back.
TEST(ProxyPostgres, DrainEndsAnOpenTransactionAfterTheGraceWithAReason) {
  RunningProxy proxy(ts::PgPort(), milliseconds(10'000), /*grace=*/milliseconds(200),
                     WireProtocol::kPostgres);
  PgConn conn = PgConnect(proxy.port());
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  ASSERT_EQ(PgValue(conn.get(), "BEGIN"), "");
  ProxyStatus drained;
  ASSERT_NO_FATAL_FAILURE(DrainClosingOne(proxy, &drained));
  EXPECT_EQ(drained.state, ProxyState::kHolding);
  const std::string error = PgValue(conn.get(), "SELECT 1");
  EXPECT_NE(error.find(std::string("FATAL:  ") + kGraceOver), std::string::npos) << error;
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_BAD);
}

// A query still running when the grace ends gets the reason in place of its result.
TEST(ProxyPostgres, DrainEndsARunningQueryWithAReason) {
  RunningProxy proxy(ts::PgPort(), milliseconds(10'000), /*grace=*/milliseconds(200),
                     WireProtocol::kPostgres);
  PgConn conn = PgConnect(proxy.port());
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  ASSERT_EQ(PQsendQuery(conn.get(), "SELECT pg_sleep(30)"), 1);
  ASSERT_NO_FATAL_FAILURE(DrainClosingOne(proxy));
  PGresult* result = PQgetResult(conn.get());
  EXPECT_EQ(PQresultStatus(result), PGRES_FATAL_ERROR);
  PQclear(result);
  EXPECT_NE(std::string(PQerrorMessage(conn.get())).find(kGraceOver), std::string::npos)
      << PQerrorMessage(conn.get());
}

struct MysqlDeleter {
  void operator()(MYSQL* mysql) const { mysql_close(mysql); }
};

// Connects through `port`; nullptr and `error` set when it fails.
std::unique_ptr<MYSQL, MysqlDeleter> MariadbConnect(int port, std::string& error) {
  std::unique_ptr<MYSQL, MysqlDeleter> mysql(mysql_init(nullptr));
  unsigned int timeout = 20;
  mysql_optionsv(mysql.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(mysql.get(), MYSQL_OPT_READ_TIMEOUT, &timeout);
  if (!mysql_real_connect(mysql.get(), "127.0.0.1", "peerlock", ts::MariadbPassword().c_str(),
                          "mysql", static_cast<unsigned>(port), nullptr, 0)) {
    error = mysql_error(mysql.get());
    return nullptr;
  }
  return mysql;
}

std::string MariadbValue(MYSQL* mysql, const std::string& sql) {
  if (mysql_query(mysql, sql.c_str()) != 0) return std::string("ERROR: ") + mysql_error(mysql);
  MYSQL_RES* result = mysql_store_result(mysql);
  if (!result) return "";
  MYSQL_ROW row = mysql_fetch_row(result);
  std::string out = row && row[0] ? row[0] : "NULL";
  mysql_free_result(result);
  return out;
}

TEST(ProxyMariadb, ConnectorCRunsQueriesThroughTheProxy) {
  RunningProxy proxy(ts::MariadbPort());
  std::string error;
  auto mysql = MariadbConnect(proxy.port(), error);
  ASSERT_NE(mysql, nullptr) << error;
  EXPECT_EQ(MariadbValue(mysql.get(), "SELECT @@port"), std::to_string(ts::MariadbPort()));
  EXPECT_EQ(MariadbValue(mysql.get(), "SELECT SUM(seq) FROM seq_1_to_100000"), "5000050000");
  EXPECT_EQ(MariadbValue(mysql.get(), "SELECT LENGTH(REPEAT('x', 1000000))"), "1000000");
}

TEST(ProxyMariadb, AHoldPastTheTimeoutGivesTheClientAnError) {
  RunningProxy proxy(ts::MariadbPort(), /*hold_timeout=*/milliseconds(300), milliseconds(5'000),
                     WireProtocol::kMysql);
  ASSERT_TRUE(proxy.control().Hold().has_value());
  std::string error;
  auto mysql = MariadbConnect(proxy.port(), error);
  EXPECT_EQ(mysql, nullptr);
  // Connector/C shows the proxy's reason in place of the server's greeting.
  EXPECT_NE(error.find("peerlock proxy: the database is being switched"), std::string::npos)
      << error;
  EXPECT_EQ(proxy.control().Status().value().hold_timeouts, 1);
  // Released, the proxy forwards again.
  ASSERT_TRUE(proxy.control().Release().has_value());
  auto again = MariadbConnect(proxy.port(), error);
  ASSERT_NE(again, nullptr) << error;
  EXPECT_EQ(MariadbValue(again.get(), "SELECT 1"), "1");
}

// An idle session past the grace: its next query fails with the proxy's reason (ERR 1053,
// the sequence id of the answer to that query), not "lost connection".
TEST(ProxyMariadb, DrainEndsAnIdleSessionAfterTheGraceWithAReason) {
  RunningProxy proxy(ts::MariadbPort(), milliseconds(10'000), /*grace=*/milliseconds(200),
                     WireProtocol::kMysql);
  std::string error;
  auto mysql = MariadbConnect(proxy.port(), error);
  ASSERT_NE(mysql, nullptr) << error;
  EXPECT_EQ(MariadbValue(mysql.get(), "SELECT 1"), "1");
  ASSERT_NO_FATAL_FAILURE(DrainClosingOne(proxy));
  const std::string answer = MariadbValue(mysql.get(), "SELECT 2");
  EXPECT_EQ(answer.rfind(std::string("ERROR: ") + kGraceOver, 0), 0u) << answer;
  EXPECT_EQ(mysql_errno(mysql.get()), 1053u);
}

// A query waiting for its answer when the grace ends gets the reason as that answer.
TEST(ProxyMariadb, DrainEndsARunningQueryWithAReason) {
  RunningProxy proxy(ts::MariadbPort(), milliseconds(10'000), /*grace=*/milliseconds(200),
                     WireProtocol::kMysql);
  std::string error;
  auto mysql = MariadbConnect(proxy.port(), error);
  ASSERT_NE(mysql, nullptr) << error;
  const std::string sleep = "SELECT SLEEP(30)";
  ASSERT_EQ(mysql_send_query(mysql.get(), sleep.c_str(), sleep.size()), 0);
  ASSERT_NO_FATAL_FAILURE(DrainClosingOne(proxy));
  EXPECT_NE(mysql_read_query_result(mysql.get()), 0);
  EXPECT_EQ(mysql_errno(mysql.get()), 1053u) << mysql_error(mysql.get());
  EXPECT_NE(std::string(mysql_error(mysql.get())).find(kGraceOver), std::string::npos)
      << mysql_error(mysql.get());
}

}  // namespace
}  // namespace peerlock
