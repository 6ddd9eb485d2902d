// `peerlock sync` from PostgreSQL: a writer changes the source (inserts, updates that change
// primary keys and cascade, deletes, multi-table transactions, TOAST values left unchanged,
// truncates) while the copy runs and after it; the sync follows, is stopped and killed with
// SIGKILL at every stage (during the copy, between batches, in the middle of a batch), and
// each time ends with the target equal to the source — by `peerlock verify` and by an
// independent comparison of every row's text — with no change lost or applied twice.

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/background_process.h"
#include "scenarios/cutover_support.h"
#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using namespace std::chrono_literals;
using pg::CompareRowText;
using pg::NewDb;
using pg::Psql;
using pg::PsqlInt;

constexpr const char* kSchema = R"sql(
  CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2),
                         note text);
  CREATE TABLE transfers (id bigint PRIMARY KEY,
                          from_id bigint REFERENCES accounts (id)
                                         ON UPDATE CASCADE ON DELETE CASCADE,
                          amount numeric(12,2), at timestamptz);
  -- Bodies of ~10 kB of hex do not compress below the TOAST threshold: updates that leave them
  -- alone arrive as "unchanged" in the stream.
  CREATE TABLE docs (k text, n integer, title text, body text, PRIMARY KEY (k, n));
  CREATE TABLE scratch (id integer PRIMARY KEY, v text);
  INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.25, CASE WHEN g % 3 = 0 THEN 'n' END
  FROM generate_series(1, 2000) g;
  INSERT INTO transfers SELECT g, g % 2000 + 1, g * 0.5, '2026-01-01'::timestamptz + g * interval '1 min'
  FROM generate_series(1, 4000) g;
  INSERT INTO docs SELECT 'k' || (g % 50), g / 50, 't' || g,
    (SELECT string_agg(md5((g * 1000 + i)::text), '') FROM generate_series(1, 300) i)
  FROM generate_series(0, 199) g;
  INSERT INTO scratch SELECT g, 'v' || g FROM generate_series(1, 50) g;
)sql";

// `txns` rounds of writes; `round` keeps every round's new keys apart.
std::string WriterSql(int round, int txns) {
  std::string sql;
  for (int i = 0; i < txns; ++i) {
    const int64_t base = round * 100000LL + i * 10;
    sql += fmt::format(
        "BEGIN;\n"
        "INSERT INTO accounts VALUES ({0}, 'w{1}-{2}', {2}, NULL);\n"
        "INSERT INTO transfers VALUES ({0}, {0}, 1.5, now());\n"
        "UPDATE accounts SET balance = balance + 1 WHERE id = {3};\n"
        "COMMIT;\n"
        "UPDATE accounts SET id = {0} + 5 WHERE id = {0};\n"
        "DELETE FROM accounts WHERE id = {4};\n"
        "UPDATE docs SET title = 'r{1}i{2}' WHERE k = 'k{5}' AND n = 1;\n",
        base, round, i, (i * 7) % 2000 + 1, (round * 37 + i * 13) % 2000 + 1, i % 50);
    if (i % 10 == 5)
      sql += fmt::format("UPDATE docs SET body = body || 'r{}' WHERE k = 'k{}' AND n = 2;\n", round,
                         i % 50);
    if (i % 25 == 0)
      sql += fmt::format(
          "BEGIN; TRUNCATE scratch; INSERT INTO scratch SELECT g, 'r{}' FROM generate_series(1, "
          "{}) g; COMMIT;\n",
          round, 5 + i % 7);
  }
  return sql;
}

class PgSync : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = NewDb("src");
    target_ = NewDb("tgt");
    Psql(source_, kSchema);
  }
  void TearDown() override {
    // The slot must not outlive the test: it would hold WAL on the shared server.
    ws_.Run("sync", {"--drop"});
  }

  void Plan(const std::string& extra = "") { ws_.Plan(source_, target_, extra); }

  void Write(int round, int txns) { Psql(source_, WriterSql(round, txns)); }

  // A writer running beside the test.
  std::unique_ptr<BackgroundProcess> StartWriter(int round, int txns) {
    std::string script = ws_.File(fmt::format("writer{}.sql", round));
    WriteFile(script, WriterSql(round, txns));
    return std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                                 source_, "-f", script},
        ws_.File(fmt::format("writer{}.log", round)));
  }

  RunResult Sync(const std::vector<std::string>& extra = {}, const EnvList& env = {}) {
    return ws_.Run("sync", extra, env);
  }

  // The target equals the source: verify says so, and so does every row's text.
  void ExpectEqual() {
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
    EXPECT_EQ(CompareRowText(source_, target_, "accounts", "id"), "");
    EXPECT_EQ(CompareRowText(source_, target_, "transfers", "id"), "");
    EXPECT_EQ(CompareRowText(source_, target_, "docs", "k, n"), "");
    EXPECT_EQ(CompareRowText(source_, target_, "scratch", "id"), "");
  }

  std::string Stream() {
    RunResult status = Sync({"--status", "--json"});
    auto j = nlohmann::json::parse(status.out, nullptr, false);
    return j.is_object() ? j.value("stream", std::string()) : std::string();
  }

  int64_t Slots(const std::string& stream) {
    return PsqlInt(source_,
                   "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + stream + "'");
  }

  pg::Workspace ws_;
  std::string source_, target_;
};

TEST_F(PgSync, FollowsWritesDuringAndAfterTheCopyThenStopsCleanly) {
  Plan("copy: {chunk_rows: 500}\n");
  auto writer = StartWriter(1, 150);
  BackgroundProcess sync({PEERLOCK_BINARY, "sync", "--plan", ws_.plan(), "--state", ws_.state()},
                         ws_.File("sync.log"));
  ASSERT_EQ(writer->Wait(120s), 0) << writer->Log();
  // Writes after the copy for certain: the sync has published that it streams.
  ASSERT_TRUE(WaitUntil(
      [&] {
        RunResult s = Sync({"--status", "--json"});
        return s.out.find("\"phase\": \"streaming\"") != std::string::npos;
      },
      120s))
      << sync.Log();
  Write(2, 100);
  sync.Signal(SIGTERM);
  ASSERT_EQ(sync.Wait(60s), 0) << sync.Log();
  EXPECT_NE(sync.Log().find("stopped: cancelled"), std::string::npos) << sync.Log();

  RunResult rest = Sync({"--until-caught-up"});
  ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
  EXPECT_NE(rest.out.find("stopped: caught up"), std::string::npos) << rest.Describe();
  ExpectEqual();

  RunResult status = Sync({"--status"});
  EXPECT_NE(status.out.find("accounts"), std::string::npos) << status.Describe();
  EXPECT_NE(status.out.find("lag:"), std::string::npos) << status.Describe();

  std::string stream = Stream();
  ASSERT_FALSE(stream.empty());
  EXPECT_EQ(Slots(stream), 1);
  RunResult drop = Sync({"--drop"});
  ASSERT_EQ(drop.exit_code, 0) << drop.Describe();
  EXPECT_EQ(Slots(stream), 0);
  EXPECT_EQ(
      PsqlInt(source_, "SELECT count(*) FROM pg_publication WHERE pubname = '" + stream + "'"), 0);
}

// The source server restarts while the sync streams (an upgrade, a failover in place): the
// running sync reconnects from the position the target holds and converges, with no change
// lost or applied twice.
TEST(PgSyncSourceRestart, TheRunningSyncReconnectsAndConverges) {
  SecondPgCluster server;
  pg::Workspace ws;
  const std::string source = server.CreateDatabase(pg::DbName("src"));
  const std::string target = NewDb("tgt");
  Psql(source, kSchema);
  ws.Plan(source, target);
  BackgroundProcess sync({PEERLOCK_BINARY, "sync", "--plan", ws.plan(), "--state", ws.state()},
                         ws.File("sync.log"));
  ASSERT_TRUE(WaitUntil([&] { return ws.Streaming(); }, 120s)) << sync.Log();
  Psql(source, WriterSql(1, 40));
  server.Restart();
  Psql(source, WriterSql(2, 40));
  // The same process catches up by itself after the restart.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return CompareRowText(source, target, "accounts", "id") == "" &&
               CompareRowText(source, target, "scratch", "id") == "";
      },
      120s))
      << sync.Log();
  pg::ExpectSurvivedTheRestart(sync, ws);
  if (HasFatalFailure()) return;
  EXPECT_EQ(CompareRowText(source, target, "transfers", "id"), "");
  EXPECT_EQ(CompareRowText(source, target, "docs", "k, n"), "");
  EXPECT_EQ(ws.Run("sync", {"--drop"}).exit_code, 0);
}

TEST_F(PgSync, KilledDuringCopyBetweenBatchesAndMidBatchResumesExactlyOnce) {
  Plan("copy: {chunk_rows: 500}\nsync: {batch_changes: 40}\n");
  Write(1, 20);
  RunResult killed = Sync({"--until-caught-up"}, {{"PEERLOCK_FAULT", "copy.chunk_committed:2"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();

  Write(2, 60);
  killed = Sync({"--until-caught-up"}, {{"PEERLOCK_FAULT", "sync.batch_applied:2"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();

  Write(3, 60);
  killed = Sync({"--until-caught-up"}, {{"PEERLOCK_FAULT", "sync.apply_midway:3"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();

  Write(4, 30);
  RunResult done = Sync({"--until-caught-up"});
  ASSERT_EQ(done.exit_code, 0) << done.Describe();
  ExpectEqual();
  // Nothing applied twice would show as a duplicate key error or extra rows above; the
  // position on the target is the last one the sync reports.
  std::string position = Psql(target_, "SELECT position FROM _peerlock_sync");
  EXPECT_NE(done.out.find(position), std::string::npos) << done.Describe() << position;
}

TEST_F(PgSync, SchemaChangeOnTheSourceStopsWithNothingHalfApplied) {
  Plan();
  BackgroundProcess sync({PEERLOCK_BINARY, "sync", "--plan", ws_.plan(), "--state", ws_.state()},
                         ws_.File("sync.log"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        RunResult s = Sync({"--status", "--json"});
        return s.out.find("\"phase\": \"streaming\"") != std::string::npos;
      },
      120s))
      << sync.Log();
  Psql(source_,
       "BEGIN; INSERT INTO scratch VALUES (1000, 'before'); COMMIT;"
       "ALTER TABLE scratch RENAME COLUMN v TO w;"
       "INSERT INTO scratch VALUES (1001, 'after');");
  std::optional<int> exit = sync.Wait(60s);
  ASSERT_TRUE(exit.has_value()) << sync.Log();
  EXPECT_EQ(*exit, 1) << sync.Log();
  // A rename shows as a column gained (w) and one lost (v): not an addition, not followed.
  EXPECT_NE(sync.Log().find("table scratch lost column v on the source while syncing"),
            std::string::npos)
      << sync.Log();
  // The change before the rename is in; the one after it is not, not even in part.
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM scratch WHERE id = 1000"), 1);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM scratch WHERE id = 1001"), 0);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM scratch"), 51);
}

TEST_F(PgSync, ANullableColumnAddedOnTheSourceIsFollowedAndOthersStopTheSync) {
  Plan();
  RunResult first = Sync({"--until-caught-up"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  // Changes before and after the new column, in one stretch of the log (the writer's last
  // round truncates scratch; what follows it is kept).
  Write(1, 10);
  Psql(source_,
       "ALTER TABLE scratch ADD COLUMN extra text;"
       "INSERT INTO scratch VALUES (1000, 'new', 'carried');"
       "UPDATE scratch SET extra = 'set later' WHERE id = (SELECT min(id) FROM scratch);");
  Psql(source_, "UPDATE accounts SET balance = balance + 1 WHERE id < 50");
  RunResult followed = Sync({"--until-caught-up"});
  ASSERT_EQ(followed.exit_code, 0) << followed.Describe();
  EXPECT_NE(followed.err.find("followed the source's schema: added scratch.extra"),
            std::string::npos)
      << followed.Describe();
  ExpectEqual();  // every column of every row, `extra` included
  EXPECT_EQ(Psql(target_, "SELECT extra FROM scratch WHERE id = 1000"), "carried");

  // NOT NULL with a default would need every copied row rewritten: the sync stops before it.
  Psql(source_,
       "BEGIN; INSERT INTO scratch VALUES (1001, 'before', NULL); COMMIT;"
       "ALTER TABLE scratch ADD COLUMN flag int NOT NULL DEFAULT 7;"
       "INSERT INTO scratch VALUES (1002, 'after', NULL, 1);");
  RunResult stopped = Sync({"--until-caught-up"});
  EXPECT_EQ(stopped.exit_code, 1) << stopped.Describe();
  EXPECT_NE(stopped.err.find("table scratch gained column flag on the source while syncing "
                             "(NOT NULL)"),
            std::string::npos)
      << stopped.Describe();
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM scratch WHERE id = 1001"), 1);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM scratch WHERE id = 1002"), 0);
}

TEST_F(PgSync, AColumnThePlanDropsIsNotASchemaChange) {
  // The publication carries every column; the one the plan drops must not stop the sync.
  Plan("transform:\n  accounts:\n    columns:\n      note: {drop: true}\n");
  RunResult first = Sync({"--until-caught-up"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  Write(1, 20);
  RunResult synced = Sync({"--until-caught-up"});
  ASSERT_EQ(synced.exit_code, 0) << synced.Describe();
  RunResult verify = ws_.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_EQ(pg::CompareTexts(source_, target_,
                             "SELECT (id, owner, balance)::text FROM accounts ORDER BY id",
                             "SELECT t::text FROM accounts t ORDER BY id"),
            "");
}

TEST_F(PgSync, RetentionLimitStopsTheSyncAndReleasesTheSlot) {
  Plan("sync: {max_retained: 1KB}\n");
  // The copy alone writes more WAL than 1 kB: the first run already stops; if it did not,
  // the writer's changes make the next one stop.
  RunResult failed = Sync({"--until-caught-up"});
  if (failed.exit_code == 0) {
    Write(1, 40);
    failed = Sync({"--until-caught-up"});
  }
  ASSERT_NE(failed.exit_code, 0) << failed.Describe();
  EXPECT_NE(failed.err.find("max_retained"), std::string::npos) << failed.Describe();
  EXPECT_EQ(PsqlInt(source_,
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE "
                    "'peerlock_%' AND database = current_database()"),
            0);
}

TEST_F(PgSync, RefusesTablesWithoutPrimaryKey) {
  Psql(source_, "CREATE TABLE loose (a int, b text); INSERT INTO loose VALUES (1, 'x');");
  Plan();
  RunResult r = Sync({"--until-caught-up"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("loose has no primary key"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("hint"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace peerlock::scenario
