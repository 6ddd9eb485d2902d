// `peerlock cutover` and `peerlock rollback` from MariaDB to PostgreSQL, the traffic moved by
// the plan's hooks (a MySQL client cannot follow a proxy to PostgreSQL): switch_traffic writes
// "target" into a route file, rollback writes "source", and the application reads the file
// before each insert. It writes as an account of its own without READ_ONLY ADMIN, so the
// freeze (read_only) stops it. Every acknowledged commit is found on the target after the
// cutover and on the source after the rollback, and each side's AUTO_INCREMENT / identity
// continues past every id the other handed out.

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "scenarios/background_process.h"
#include "scenarios/cutover_support.h"
#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using namespace std::chrono_literals;
namespace ts = test_servers;

constexpr const char* kAppUser = "peerlock_cutover_app";
constexpr const char* kAppPassword = "app-secret-1";

// The application's route: the route file names the side, each side has its own connection.
class RoutedClient : public WriterClient {
 public:
  RoutedClient(std::string route_file, const std::string& mariadb_database,
               const std::string& pg_database)
      : route_file_(std::move(route_file)),
        source_(kAppUser, kAppPassword, mariadb_database, "source"),
        target_(PgConninfo(ts::PgPort(), pg_database), /*server_ids=*/false,
                {{std::to_string(ts::PgPort()), "target"}}) {}

  Attempt Insert(int64_t n, const std::string& payload) override {
    std::ifstream in(route_file_);
    std::string route;
    std::getline(in, route);
    if (route == "source") return source_.Insert(n, payload);
    if (route == "target") return target_.Insert(n, payload);
    return Attempt{.error = "route file says '" + route + "'"};
  }

 private:
  std::string route_file_;
  MariadbClient source_;
  PgClient target_;
};

class MariadbCutover : public ::testing::Test {
 protected:
  void SetUp() override {
    mariadb_db_ = ts::TestDatabaseName().substr(0, 50) + "_src";
    source_url_ = ts::CreateMariadbDatabase(mariadb_db_);
    pg_db_ = pg::DbName("tgt");
    target_ = ts::CreatePgDatabase(pg_db_);
    Mariadb(fmt::format(
        "CREATE TABLE items (id BIGINT PRIMARY KEY, payload VARCHAR(100) NOT NULL);"
        "INSERT INTO items SELECT seq, CONCAT('seed-', seq) FROM seq_1000001_to_1000050;"
        "CREATE TABLE tickets (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL);"
        "INSERT INTO tickets (note) SELECT CONCAT('seed-', seq) FROM seq_1_to_50;"
        "DROP USER IF EXISTS '{0}'@'%'; CREATE USER '{0}'@'%' IDENTIFIED BY '{1}';"
        "GRANT SELECT, INSERT ON `{2}`.* TO '{0}'@'%';",
        kAppUser, kAppPassword, mariadb_db_));
    route_ = ws_.File("route");
    WriteFile(route_, "source");
    WriteFile(ws_.plan(),
              "source: {url: \"" + source_url_ + "\", password_env: " +
                  ts::MariadbPasswordEnvName() + "}\ntarget: " + pg::EndpointYaml(target_) +
                  "\nhooks:\n"
                  "  switch_traffic: \"printf target > route.tmp && mv route.tmp route\"\n"
                  "  rollback: \"printf source > route.tmp && mv route.tmp route\"\n");
  }
  void TearDown() override {
    // read_only is server-wide: never leave the shared server frozen.
    ts::RunMariadb(mariadb_db_, fmt::format("SET GLOBAL read_only = OFF; DROP USER IF EXISTS "
                                            "'{}'@'%'",
                                            kAppUser));
    ws_.Run("sync", {"--drop"});
    ts::RunPsql(ts::PgAdminUrl(),
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                "WHERE database = '" +
                    pg_db_ + "' AND NOT active");
  }

  void Mariadb(const std::string& sql) {
    ts::CommandResult r = ts::RunMariadb(mariadb_db_, sql);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  std::unique_ptr<AckedWriter> StartWriter(const std::string& tag, int64_t first) {
    return std::make_unique<AckedWriter>(
        tag, std::make_unique<RoutedClient>(route_, mariadb_db_, pg_db_), first);
  }

  pg::Workspace ws_;
  std::string mariadb_db_, source_url_, pg_db_, target_, route_;
};

TEST_F(MariadbCutover, HooksMoveTheApplicationAndBackWithoutLosingAnAcknowledgedWrite) {
  BackgroundProcess sync({PEERLOCK_BINARY, "sync", "--plan", ws_.plan(), "--state", ws_.state()},
                         ws_.File("sync.log"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        RunResult s = ws_.Run("sync", {"--status", "--json"});
        return s.out.find("\"phase\": \"streaming\"") != std::string::npos || !sync.running();
      },
      120s));
  ASSERT_TRUE(sync.running()) << sync.Log();

  auto writer = StartWriter("w1", 1);
  ASSERT_TRUE(WaitUntil([&] { return writer->Acked("source") >= 30; }, 60s)) << writer->Errors();
  // InnoDB hands out ids to INSERT ... SELECT in growing blocks: after the 50 seeded rows its
  // counter is past 51, and that position, not max(id) + 1, is what the target continues.
  ts::CommandResult counter = ts::RunMariadb(
      mariadb_db_,
      "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
      "TABLE_NAME = 'tickets'");
  ASSERT_EQ(counter.exit_code, 0) << counter.Describe();
  const int64_t next_id = std::stoll(counter.out);
  ASSERT_GT(next_id, 51);
  RunResult cutover = ws_.Run("cutover", {"--max-freeze", "20s"});
  ASSERT_EQ(cutover.exit_code, 0) << cutover.Describe() << sync.Log();
  EXPECT_NE(cutover.out.find("measured freeze"), std::string::npos) << cutover.Describe();
  std::cout << "MariaDB->PG with hooks under load, cutover "
            << cutover.out.substr(cutover.out.find("measured freeze")) << "\n";
  EXPECT_EQ(ReadFile(route_), "target");
  // The counters moved with the application: the target's identity continues from the source's
  // AUTO_INCREMENT (from 1 it would collide with a copied id).
  EXPECT_EQ(pg::PsqlInt(target_, "INSERT INTO tickets (note) VALUES ('target') RETURNING id"),
            next_id);
  // An id handed out to a transaction that rolled back must not come round again either.
  pg::Psql(target_, "BEGIN; INSERT INTO tickets (note) VALUES ('rolled back'); ROLLBACK");
  ASSERT_TRUE(WaitUntil([&] { return writer->Acked("target") >= 30; }, 60s)) << writer->Errors();
  writer->Stop();
  EXPECT_EQ(writer->duplicate_keys(), 0) << writer->Errors();
  EXPECT_EQ(sync.Wait(60s), 0) << sync.Log();
  const std::vector<Ack> first = writer->acks();
  EXPECT_EQ(MissingAcks(first, ParseRows(pg::Psql(target_,
                                                  "SELECT id || ' ' || payload FROM "
                                                  "items"),
                                         ' ')),
            "");

  RunResult reverse = ws_.Run("sync", {"--reverse", "--until-caught-up"});
  ASSERT_EQ(reverse.exit_code, 0) << reverse.Describe();
  RunResult verify = ws_.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();

  auto second = StartWriter("w2", 1000000);
  ASSERT_TRUE(WaitUntil([&] { return second->Acked("target") >= 20; }, 60s)) << second->Errors();
  RunResult rollback = ws_.Run("rollback", {"--grace", "1s"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.Describe();
  EXPECT_EQ(ReadFile(route_), "source");
  ASSERT_TRUE(WaitUntil([&] { return second->Acked("source") >= 20; }, 60s)) << second->Errors();
  second->Stop();
  std::vector<Ack> all = first;
  for (const Ack& a : second->acks()) all.push_back(a);
  ts::CommandResult rows = ts::RunMariadb(mariadb_db_, "SELECT id, payload FROM items");
  ASSERT_EQ(rows.exit_code, 0) << rows.Describe();
  EXPECT_EQ(MissingAcks(all, ParseRows(rows.out, '\t')), "");
  // The source's counter continues past every id the target handed out, the rolled-back one
  // too (the reverse sync alone brought only the row before it).
  ts::CommandResult back = ts::RunMariadb(
      mariadb_db_, "INSERT INTO tickets (note) VALUES ('back'); SELECT LAST_INSERT_ID()");
  ASSERT_EQ(back.exit_code, 0) << back.Describe();
  EXPECT_EQ(back.out, std::to_string(next_id + 2) + "\n");

  // The source takes the application's writes again; the target refuses them.
  MariadbClient app(kAppUser, kAppPassword, mariadb_db_, "source");
  Attempt probe = app.Insert(5000000, "probe");
  EXPECT_TRUE(probe.acked) << probe.error;
  ts::CommandResult refused =
      ts::RunPsql(target_, "INSERT INTO items (id, payload) VALUES (5000001, 'probe')");
  EXPECT_NE(refused.err.find("read-only transaction"), std::string::npos) << refused.Describe();
}

// The kill matrix (Crash, cutover_support.h) with the traffic moved by hooks: after the re-run
// exactly one side takes the application's writes, the route file points at it, and it holds
// every acknowledged row.
class MariadbCutoverKilled : public MariadbCutover, public ::testing::WithParamInterface<Crash> {
 protected:
  // key -> payload of every row of items on each side.
  std::map<int64_t, std::string> SourceRows() {
    ts::CommandResult rows = ts::RunMariadb(mariadb_db_, "SELECT id, payload FROM items");
    EXPECT_EQ(rows.exit_code, 0) << rows.Describe();
    return ParseRows(rows.out, '\t');
  }
  std::map<int64_t, std::string> TargetRows() {
    return ParseRows(pg::Psql(target_, "SELECT id || ' ' || payload FROM items"), ' ');
  }
};

TEST_P(MariadbCutoverKilled, ReRunEndsWithExactlyOneWritableSide) {
  const Crash crash = GetParam();
  RunResult sync = ws_.Run("sync", {"--until-caught-up"});
  ASSERT_EQ(sync.exit_code, 0) << sync.Describe();
  // Acknowledged by the source after the sync stopped: the drain carries them.
  Mariadb("INSERT INTO items SELECT seq, CONCAT('late-', seq) FROM seq_2000001_to_2000020");
  std::vector<Ack> acks;
  for (const auto& [id, payload] : SourceRows()) acks.push_back({id, payload, "source"});
  ASSERT_EQ(acks.size(), 70u);

  RunResult killed = ws_.Run("cutover", {"--max-freeze", "20s"},
                             {{"PEERLOCK_FAULT", "cutover." + crash.step + ":1"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  // The application writes wherever the route sends it; a frozen side refuses.
  RoutedClient app(route_, mariadb_db_, pg_db_);
  Attempt between = app.Insert(3000001, "after-crash");
  if (between.acked) acks.push_back({between.id, "after-crash", between.where});

  RunResult rerun = ws_.Run(crash.rerun);
  ASSERT_TRUE(rerun.exit_code == 0 || rerun.exit_code == 1) << rerun.Describe();
  RunResult status_run = ws_.Run("cutover", {"--status", "--json"});
  nlohmann::json status = nlohmann::json::parse(status_run.out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << status_run.Describe();
  const std::string active = CheckCrashOutcome(crash, between.acked ? between.where : "", status);
  ASSERT_FALSE(active.empty());

  EXPECT_EQ(MissingAcks(acks, active == "target" ? TargetRows() : SourceRows()), "");
  // The route names the active side (no route file: traffic never moved).
  const std::string route = std::filesystem::exists(route_) ? ReadFile(route_) : "source";
  EXPECT_EQ(route, active);
  // Exactly one side takes the application's writes. A cutover undone before its switch leaves
  // the target as before it (unused, not frozen); after a rollback the target is frozen.
  Attempt on_source =
      MariadbClient(kAppUser, kAppPassword, mariadb_db_, "source").Insert(3000002, "probe");
  EXPECT_EQ(on_source.acked, active == "source") << on_source.error;
  if (active == "target" || status.value("kind", "") == "rollback") {
    ts::CommandResult on_target =
        ts::RunPsql(target_, "INSERT INTO items (id, payload) VALUES (3000003, 'probe')");
    EXPECT_EQ(on_target.exit_code == 0, active == "target") << on_target.Describe();
  }
}

std::vector<Crash> Crashes() {
  // Re-run forward after every step that changes a server (read_only set, drained, counters
  // set, reverse capture started, target thawed, traffic moved, checked); backward from frozen,
  // half-drained, switched and done.
  std::vector<Crash> out;
  for (const char* step : {"freeze_source", "drain", "sequences", "reverse_capture", "thaw_target",
                           "switch_traffic", "smoke_test"})
    out.push_back({step, "cutover"});
  for (const char* step : {"freeze_source", "drain", "switch_traffic", "done"})
    out.push_back({step, "rollback"});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Steps, MariadbCutoverKilled, ::testing::ValuesIn(Crashes()),
                         [](const auto& info) {
                           return info.param.step + "_then_" + info.param.rerun;
                         });

}  // namespace
}  // namespace peerlock::scenario
