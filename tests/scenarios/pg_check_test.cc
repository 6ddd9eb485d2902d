// `peerlock check` against the throwaway PostgreSQL and MariaDB servers: the settings a warm
// migration needs, risks the servers report (row-level security, keyless tables,
// non-transactional engines), and blockers that make it exit 1.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenarios/pg_support.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;

// The findings of `check --json` as "severity area subject" lines, for readable failures.
json CheckJson(const RunResult& run) {
  json out = json::parse(run.out, nullptr, false);
  EXPECT_FALSE(out.is_discarded()) << run.Describe();
  return out;
}

bool Has(const json& report, const std::string& severity, const std::string& area,
         const std::string& subject, const std::string& what = "") {
  for (const auto& f : report["findings"]) {
    if (f["severity"] == severity && f["area"] == area &&
        f["subject"].get<std::string>().find(subject) != std::string::npos &&
        f["what"].get<std::string>().find(what) != std::string::npos)
      return true;
  }
  return false;
}

TEST(PgCheck, ReportsReplicationReadinessAndRisksWithoutBlockers) {
  std::string source = pg::NewDb("src");
  pg::Psql(source,
           "CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
           "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;"
           "CREATE TABLE events (at timestamptz, what text);");
  pg::Workspace ws;
  ws.Plan(source, "sqlite://" + ws.File("new.db"));
  RunResult run = ws.Run("check", {"--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  json report = CheckJson(run);
  EXPECT_EQ(report["blockers"], 0) << report.dump(2);
  // The test server runs with wal_level = logical (scripts/pg-cluster).
  EXPECT_TRUE(Has(report, "ok", "replication", "source", "wal_level is logical")) << report.dump(2);
  EXPECT_TRUE(Has(report, "ok", "connectivity", "source", "version 15")) << report.dump(2);
  EXPECT_TRUE(Has(report, "warning", "risk", "accounts", "row-level security")) << report.dump(2);
  EXPECT_TRUE(Has(report, "warning", "risk", "events", "no primary key")) << report.dump(2);
  EXPECT_TRUE(Has(report, "ok", "disk", "target")) << report.dump(2);

  // The run is recorded, so the report and status show it.
  RunResult status = ws.Run("status", {"--json"});
  ASSERT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_NE(status.out.find("\"kind\": \"check\""), std::string::npos) << status.out;
}

TEST(PgCheck, ABlockerExitsOneWithItsFix) {
  std::string source = pg::NewDb("src");
  pg::Psql(source, "CREATE TABLE t (id int PRIMARY KEY);");
  pg::Workspace ws;
  // A target in a directory that does not exist, and a PostgreSQL target nobody listens on.
  ws.Plan(source, "sqlite://" + ws.File("no/such/dir/new.db"));
  RunResult run = ws.Run("check", {"--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json report = CheckJson(run);
  EXPECT_TRUE(Has(report, "blocker", "disk", "target", "does not exist")) << report.dump(2);

  ws.Plan(source, "postgresql://peerlock@127.0.0.1:1/nothing");
  RunResult unreachable = ws.Run("check");
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.Describe();
  EXPECT_NE(unreachable.out.find("BLOCKER  connectivity  target"), std::string::npos)
      << unreachable.out;
  EXPECT_NE(unreachable.out.find("fix: "), std::string::npos) << unreachable.out;
}

TEST(PgCheck, BenchRunsThePlansQueriesOnBothServers) {
  std::string source = pg::NewDb("src");
  std::string target = pg::NewDb("dst");
  for (const std::string& url : {source, target})
    pg::Psql(url, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 300) g;");
  pg::Workspace ws;
  ws.Plan(source, target,
          "objectives: {queries: [{name: evens, sql: \"SELECT id FROM t WHERE id % 2 = 0\", "
          "p95: 1h}]}\n");
  RunResult run = ws.Run("bench", {"--runs", "3", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  json result = json::parse(run.out, nullptr, false);
  EXPECT_EQ(result["queries"][0]["source_rows"], 150) << run.out;
  EXPECT_EQ(result["queries"][0]["target_rows"], 150) << run.out;
}

TEST(MariadbCheck, BenchCountsTheRowsOfAMariadbQuery) {
  std::string database = test_servers::TestDatabaseName();
  std::string url = test_servers::CreateMariadbDatabase(database);
  ASSERT_EQ(test_servers::RunMariadb(database,
                                     "CREATE TABLE t (id INT PRIMARY KEY);"
                                     "INSERT INTO t VALUES (1), (2), (3);")
                .exit_code,
            0);
  pg::Workspace ws;
  std::string side =
      "{url: \"" + url + "\", password_env: " + test_servers::MariadbPasswordEnvName() + "}";
  WriteFile(ws.plan(), "source: " + side + "\ntarget: " + side +
                           "\nobjectives: {queries: [{name: all, sql: \"SELECT * FROM t\", "
                           "p95: 1h}]}\n");
  RunResult run = ws.Run("bench", {"--runs", "2", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("\"target_rows\": 3"), std::string::npos) << run.out;
}

TEST(MariadbCheck, ReportsBinlogSettingsAndNonTransactionalTables) {
  std::string database = test_servers::TestDatabaseName();
  std::string url = test_servers::CreateMariadbDatabase(database);
  test_servers::CommandResult sql =
      test_servers::RunMariadb(database,
                               "CREATE TABLE orders (id INT PRIMARY KEY) ENGINE=InnoDB;"
                               "CREATE TABLE hits (id INT PRIMARY KEY, n INT) ENGINE=MyISAM;");
  ASSERT_EQ(sql.exit_code, 0) << sql.Describe();
  pg::Workspace ws;
  WriteFile(ws.plan(), "source: {url: \"" + url +
                           "\", password_env: " + test_servers::MariadbPasswordEnvName() +
                           "}\ntarget: {url: \"sqlite://" + ws.File("new.db") + "\"}\n");
  RunResult run = ws.Run("check", {"--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  json report = CheckJson(run);
  EXPECT_TRUE(Has(report, "warning", "risk", "hits (MyISAM)", "non-transactional"))
      << report.dump(2);
  // The test server writes a ROW binlog with full row images: nothing to fix there.
  EXPECT_FALSE(Has(report, "warning", "replication", "source")) << report.dump(2);
  EXPECT_TRUE(Has(report, "ok", "connectivity", "source", "MariaDB")) << report.dump(2);
}

}  // namespace
}  // namespace peerlock::scenario
