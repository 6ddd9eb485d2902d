// Cutover and rollback on the embedded default (SQLite -> SQLite): an application keeps writing
// to whichever database the switch hooks name while `peerlock sync` follows, `peerlock cutover`
// freezes, drains, verifies and switches, and `peerlock rollback` goes back. Every write the
// application saw acknowledged must be on the side it ends on. Also: a failing smoke test rolls
// back by itself, a freeze longer than --max-freeze undoes the cutover, and a cutover killed
// with SIGKILL after any step finishes or undoes itself when run again.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scenarios/background_process.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using std::chrono::milliseconds;

// The hooks point the application at a database by writing its role into this file.
constexpr const char* kSwitchHooks = R"(hooks:
  switch_traffic: "echo target > active"
  rollback: "echo source > active"
  timeout: 10s
)";

// Writes one row at a time into the database the `active` file names, reconnecting for each
// write and retrying refused ones, and remembers every id whose commit succeeded.
class Application {
 public:
  Application(std::string dir, std::string source, std::string target, int64_t first_id)
      : dir_(std::move(dir)),
        source_(std::move(source)),
        target_(std::move(target)),
        next_(first_id) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Application() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Ids acknowledged so far, and how many of them landed on `role`.
  std::vector<int64_t> Acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  int64_t AckedOn(const std::string& role) { return role == "target" ? on_target_ : on_source_; }
  // Blocks until `n` more writes are acknowledged on `role` (false after 60 s).
  bool WaitForWrites(const std::string& role, int64_t n) {
    const int64_t goal = AckedOn(role) + n;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (AckedOn(role) < goal) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }

 private:
  void Loop() {
    while (!stop_) {
      std::string role = "source";
      if (FileExists(dir_ + "/active")) role = ReadFile(dir_ + "/active");
      role = role.find("target") != std::string::npos ? "target" : "source";
      sqlite3* db = nullptr;
      bool ok = false;
      if (sqlite3_open((role == "target" ? target_ : source_).c_str(), &db) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        std::string sql = "INSERT INTO orders (id, note) VALUES (" + std::to_string(next_) +
                          ", 'written to the " + role + "')";
        ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
      }
      sqlite3_close(db);
      if (ok) {
        std::lock_guard lock(mu_);
        acked_.push_back(next_++);
        (role == "target" ? on_target_ : on_source_)++;
      }
      // Pacing, like an application between requests (not synchronisation).
      std::this_thread::sleep_for(milliseconds(ok ? 2 : 10));
    }
  }

  std::string dir_, source_, target_;
  int64_t next_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<int64_t> acked_;
  std::atomic<int64_t> on_source_{0}, on_target_{0};
  std::thread thread_;
};

class Cutover : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("legacy.db");
    target_ = dir_.File("new.db");
    plan_ = dir_.File("plan.yaml");
    Db db(source_);
    ASSERT_TRUE(db.Exec(R"sql(
      CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customers(id),
                           note TEXT);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 50)
      INSERT INTO customers SELECT x, 'customer ' || x FROM k;
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 500)
      INSERT INTO orders SELECT x, x % 50 + 1, 'order ' || x FROM k;
    )sql"));
  }

  void Plan(const std::string& extra) { WritePlan(plan_, source_, target_, extra); }

  RunResult Peerlock(const std::string& command, std::vector<std::string> args = {},
                     const EnvList& env = {}) {
    args.insert(args.begin(), {command, "--plan", plan_});
    return RunPeerlock(args, env);
  }

  // Starts `peerlock sync` (or --reverse) in the background and waits until it streams.
  std::unique_ptr<BackgroundProcess> StartSync(bool reverse) {
    std::vector<std::string> argv = {PEERLOCK_BINARY, "sync", "--plan", plan_};
    if (reverse) argv.push_back("--reverse");
    auto sync =
        std::make_unique<BackgroundProcess>(argv, dir_.File(reverse ? "reverse.log" : "sync.log"));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::vector<std::string> status = {"--status", "--json"};
    if (reverse) status.push_back("--reverse");
    while (std::chrono::steady_clock::now() < deadline) {
      RunResult s = Peerlock("sync", status);
      if (s.out.find("\"phase\": \"streaming\"") != std::string::npos &&
          s.out.find("\"txns_applied\"") != std::string::npos)
        return sync;
      std::this_thread::sleep_for(milliseconds(50));
    }
    ADD_FAILURE() << "the sync did not start streaming:\n" << sync->Log();
    return sync;
  }

  // Whether an application connection may write to `db`.
  static bool Writable(const std::string& db, int64_t probe_id) {
    Db handle(db);
    std::string err =
        handle.TryExec("INSERT INTO customers (id, name) VALUES (" + std::to_string(probe_id) +
                       ", 'probe'); DELETE FROM "
                       "customers WHERE id = " +
                       std::to_string(probe_id));
    return err.empty();
  }

  // The ids in `acked` that `db` lacks.
  static std::vector<int64_t> Missing(const std::string& db, const std::vector<int64_t>& acked) {
    Db handle(db);
    std::set<int64_t> present;
    for (const auto& row : handle.Rows("SELECT id FROM orders")) present.insert(row[0].i);
    std::vector<int64_t> missing;
    for (int64_t id : acked)
      if (!present.count(id)) missing.push_back(id);
    return missing;
  }

  TempDir dir_;
  std::string source_, target_, plan_;
};

TEST_F(Cutover, AcknowledgedWritesSurviveCutoverAndRollback) {
  Plan(std::string("objectives: {max_downtime: 30s}\n"
                   "rollback: {when: [downtime exceeds max_downtime]}\n") +
       kSwitchHooks +
       "  before_cutover: \"echo $PEERLOCK_HOOK >> phases.log\"\n"
       "  after_cutover: \"echo $PEERLOCK_HOOK $PEERLOCK_ACTIVE >> phases.log\"\n");
  auto sync = StartSync(false);
  Application app(dir_.path(), source_, target_, 1000);
  ASSERT_TRUE(app.WaitForWrites("source", 30));

  RunResult cutover = Peerlock("cutover");
  ASSERT_EQ(cutover.exit_code, 0) << cutover.Describe();
  EXPECT_NE(cutover.out.find("measured freeze: "), std::string::npos) << cutover.out;
  EXPECT_NE(cutover.out.find("max_downtime 30s: met"), std::string::npos) << cutover.out;
  EXPECT_NE(cutover.out.find("freeze within max_downtime"), std::string::npos) << cutover.out;
  EXPECT_EQ(ReadFile(dir_.File("phases.log")), "before_cutover\nafter_cutover target\n");
  // The running sync acknowledged the watch on applied rows: the final verify compared counts
  // and the changed rows only.
  EXPECT_NE(Peerlock("cutover", {"--status"}).out.find("counts equal in 2 tables"),
            std::string::npos);
  // The running sync was asked to drain, and did.
  ASSERT_EQ(sync->Wait(std::chrono::seconds(30)), 0) << sync->Log();
  EXPECT_NE(sync->Log().find("stopped: drained"), std::string::npos);

  ASSERT_TRUE(app.WaitForWrites("target", 30));
  EXPECT_EQ(Missing(target_, app.Acked()), std::vector<int64_t>{});
  EXPECT_FALSE(Writable(source_, 90001)) << "the old database must refuse writes after cutover";
  EXPECT_TRUE(Writable(target_, 90002));

  // The reverse sync keeps the old database current; the rollback drains it.
  auto reverse = StartSync(true);
  ASSERT_TRUE(app.WaitForWrites("target", 20));
  RunResult rollback = Peerlock("rollback");
  ASSERT_EQ(rollback.exit_code, 0) << rollback.Describe();
  EXPECT_NE(rollback.out.find("rollback done"), std::string::npos) << rollback.out;
  ASSERT_EQ(reverse->Wait(std::chrono::seconds(30)), 0) << reverse->Log();
  ASSERT_TRUE(app.WaitForWrites("source", 20));
  app.Stop();
  const std::vector<int64_t> acked = app.Acked();
  EXPECT_GT(app.AckedOn("target"), 0);
  EXPECT_EQ(Missing(source_, acked), std::vector<int64_t>{});
  EXPECT_TRUE(Writable(source_, 90003));
  EXPECT_FALSE(Writable(target_, 90004)) << "the new database must refuse writes after rollback";

  // And forward again: the sync follows from the rollback's point without copying.
  RunResult follow = Peerlock("sync", {"--until-caught-up"});
  ASSERT_EQ(follow.exit_code, 0) << follow.Describe();
  EXPECT_EQ(follow.out.find("copied"), std::string::npos) << follow.out;
  RunResult again = Peerlock("cutover");
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(Missing(target_, acked), std::vector<int64_t>{});
  EXPECT_TRUE(Writable(target_, 90005));
}

TEST_F(Cutover, FailingSmokeTestRollsBack) {
  Plan(std::string(kSwitchHooks) + "  smoke_test: \"echo 'checkout page broken' >&2; exit 1\"\n");
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  Db(source_).Exec("INSERT INTO orders (id, note) VALUES (7001, 'late write')");
  RunResult cutover = Peerlock("cutover");
  EXPECT_EQ(cutover.exit_code, 1) << cutover.Describe();
  EXPECT_NE(cutover.out.find("rollback rolled back"), std::string::npos) << cutover.out;
  EXPECT_NE(cutover.out.find("checkout page broken"), std::string::npos) << cutover.out;
  EXPECT_EQ(ReadFile(dir_.File("active")), "source\n");
  EXPECT_TRUE(Writable(source_, 90011));
  EXPECT_FALSE(Writable(target_, 90012));
  EXPECT_EQ(Missing(source_, {7001}), std::vector<int64_t>{});
  RunResult status = Peerlock("cutover", {"--status"});
  EXPECT_NE(status.out.find("\"kind\": \"rollback\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"status\": \"done\""), std::string::npos) << status.out;
}

// rollback.when "downtime exceeds max_downtime": the cutover measures the freeze once traffic
// runs on the target, and goes back by itself when it was longer than the plan allows.
TEST_F(Cutover, DowntimePastMaxDowntimeRollsBackWhenThePlanSaysSo) {
  Plan(std::string("objectives: {max_downtime: 1ms}\n"
                   "rollback: {when: [downtime exceeds max_downtime, error rate above 1%]}\n") +
       kSwitchHooks);
  RunResult plan = Peerlock("plan");
  EXPECT_NE(plan.out.find("not evaluated by PeerLock (watch it, then `peerlock rollback`): error "
                          "rate above 1%"),
            std::string::npos)
      << plan.Describe();
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  Db(source_).Exec("INSERT INTO orders (id, note) VALUES (7101, 'late write')");
  // --max-freeze (which defaults to max_downtime) lets the switch happen; the criterion then
  // judges the freeze as measured up to the switch.
  RunResult cutover = Peerlock("cutover", {"--max-freeze", "20s"});
  EXPECT_EQ(cutover.exit_code, 1) << cutover.Describe();
  EXPECT_NE(cutover.out.find("rollback rolled back"), std::string::npos) << cutover.out;
  EXPECT_NE(cutover.out.find("exceeded objectives.max_downtime 1ms"), std::string::npos)
      << cutover.out;
  EXPECT_EQ(ReadFile(dir_.File("active")), "source\n");
  EXPECT_TRUE(Writable(source_, 90031));
  EXPECT_EQ(Missing(source_, {7101}), std::vector<int64_t>{});
}

TEST_F(Cutover, FreezeLongerThanMaxFreezeIsUndone) {
  // The freeze_source hook stands for a slow load balancer: the freeze outlasts its limit.
  Plan(std::string(kSwitchHooks) + "  freeze_source: \"sleep 1\"\n");
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  RunResult cutover = Peerlock("cutover", {"--max-freeze", "300ms"});
  EXPECT_EQ(cutover.exit_code, 1) << cutover.Describe();
  EXPECT_NE(cutover.out.find("cutover aborted"), std::string::npos) << cutover.out;
  EXPECT_NE(cutover.out.find("--max-freeze (300ms)"), std::string::npos) << cutover.out;
  EXPECT_TRUE(Writable(source_, 90021));
  EXPECT_FALSE(FileExists(dir_.File("active")));  // traffic never moved
  // Nothing of the attempt is left: the new database has no capture of its own.
  EXPECT_EQ(Db(target_).Int("SELECT count(*) FROM sqlite_master WHERE name LIKE '_peerlock_%' "
                            "AND type = 'trigger'"),
            0);
  // The sync goes on, and a cutover with room succeeds.
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  RunResult again = Peerlock("cutover", {"--max-freeze", "20s"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
}

TEST_F(Cutover, DryRunFreezesNothing) {
  Plan(kSwitchHooks);
  RunResult early = Peerlock("cutover", {"--dry-run"});
  EXPECT_EQ(early.exit_code, 1) << early.Describe();
  EXPECT_NE(early.out.find("blocker: no sync for this migration"), std::string::npos) << early.out;
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  RunResult dry = Peerlock("cutover", {"--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.Describe();
  EXPECT_NE(dry.out.find("cutover dry run"), std::string::npos) << dry.out;
  EXPECT_TRUE(Writable(source_, 90031));
  RunResult rollback = Peerlock("rollback");
  EXPECT_NE(rollback.exit_code, 0);
  EXPECT_NE(rollback.err.find("there is no cutover to roll back"), std::string::npos)
      << rollback.Describe();
}

// The final verify, under the freeze, compares counts and only the rows that changed since the
// baseline verify (run before the freeze): here the ten rows the drain applies.
TEST_F(Cutover, FinalVerifyComparesOnlyRowsChangedSinceTheBaseline) {
  Plan(kSwitchHooks);
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  for (int64_t id = 6001; id <= 6010; ++id)
    ASSERT_TRUE(Db(source_).Exec("INSERT INTO orders (id, note) VALUES (" + std::to_string(id) +
                                 ", 'not synced yet')"));
  RunResult cutover = Peerlock("cutover");
  ASSERT_EQ(cutover.exit_code, 0) << cutover.Describe();
  RunResult status = Peerlock("cutover", {"--status", "--json"});
  // The baseline saw the ten rows missing on the target (in flight); the drain applied them.
  EXPECT_NE(status.out.find("560 rows compared while live; 10 differing (in flight)"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("counts equal in 2 tables (560 rows, the longest count "),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("s); 10 rows changed since the baseline compared again"),
            std::string::npos)
      << status.out;
  EXPECT_EQ(Missing(target_, {6001, 6010}), std::vector<int64_t>{});
}

// A row that differs on the target without the sync having written it (someone changed the
// new database) is found by the baseline, compared again under the freeze, and stops the
// cutover: the source is thawed and keeps the traffic.
TEST_F(Cutover, DifferenceFoundBeforeTheFreezeStopsTheCutover) {
  Plan(kSwitchHooks);
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  ASSERT_TRUE(Db(target_).Exec("UPDATE orders SET note = 'changed behind our back' WHERE id = 42"));
  RunResult cutover = Peerlock("cutover");
  EXPECT_EQ(cutover.exit_code, 1) << cutover.Describe();
  EXPECT_NE(cutover.out.find("cutover aborted"), std::string::npos) << cutover.out;
  EXPECT_NE((cutover.out + cutover.err)
                .find("the final verify found differences in orders (key {\"id\":42}: changed)"),
            std::string::npos)
      << cutover.Describe();
  EXPECT_TRUE(Writable(source_, 90051));
  EXPECT_FALSE(FileExists(dir_.File("active")));
}

// Counts are compared in full under the freeze (the source's taken while the target drains): a
// row added to the target behind the sync's back after the baseline, here by the freeze hook,
// is in no list of changed rows, and only the counts can see it.
TEST_F(Cutover, RowAddedToTheTargetAfterTheBaselineIsFoundByTheCounts) {
  Plan(R"(hooks:
  switch_traffic: "echo target > active"
  freeze_source: "sqlite3 new.db 'INSERT INTO customers VALUES (999, 999)'"
  timeout: 10s
)");
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  RunResult cutover = Peerlock("cutover");
  EXPECT_EQ(cutover.exit_code, 1) << cutover.Describe();
  EXPECT_NE((cutover.out + cutover.err)
                .find("the final verify found differences in customers (50 rows on the source, "
                      "51 on the target)"),
            std::string::npos)
      << cutover.Describe();
  EXPECT_TRUE(Writable(source_, 90071));
  EXPECT_FALSE(FileExists(dir_.File("active")));
}

// The plan's rollback.within bounds how long after the switch going back stays an option:
// past it `peerlock rollback` refuses (the state untouched) unless --force.
TEST_F(Cutover, RollbackPastThePlansWindowNeedsForce) {
  // 1ms: any rollback started after the cutover's process exited is past it.
  Plan(std::string(kSwitchHooks) + "rollback: {when: [smoke test fails], within: 1ms}\n");
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  ASSERT_EQ(Peerlock("cutover").exit_code, 0);
  RunResult refused = Peerlock("rollback");
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("past the plan's rollback.within (1ms)"), std::string::npos)
      << refused.Describe();
  EXPECT_NE(refused.err.find("peerlock rollback --force"), std::string::npos) << refused.Describe();
  EXPECT_TRUE(Writable(target_, 90061)) << "a refused rollback freezes nothing";
  RunResult forced = Peerlock("rollback", {"--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.Describe();
  EXPECT_TRUE(Writable(source_, 90062));
  EXPECT_EQ(ReadFile(dir_.File("active")), "source\n");
}

// `make demo` tells the whole story on a small shop: sync with an application writing,
// cutover, reverse sync, rollback, forward again, with every acknowledged order kept.
TEST(CutoverDemo, EveryAcknowledgedOrderSurvivesTheRoundTrip) {
  TempDir dir;
  RunResult demo = RunPeerlock({"demo", "--dir", dir.File("demo"), "--scale", "0.01"});
  ASSERT_EQ(demo.exit_code, 0) << demo.Describe();
  EXPECT_NE(demo.out.find(" 0 missing"), std::string::npos) << demo.out;
  EXPECT_EQ(CountOf(demo.out, "cutover done"), 2u) << demo.out;
  EXPECT_NE(demo.out.find("rollback done"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("EQUAL:"), std::string::npos) << demo.out;
  EXPECT_TRUE(FileExists(dir.File("demo/report.html")));
}

// SIGKILL after each step (before its completion is recorded), then a re-run: the cutover ends
// done or undone, with exactly one database taking writes and every acknowledged row there.
class CutoverKilled : public Cutover, public ::testing::WithParamInterface<const char*> {};

TEST_P(CutoverKilled, RerunFinishesOrUndoes) {
  Plan(kSwitchHooks);
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  std::vector<int64_t> acked;
  for (int64_t id = 5001; id <= 5010; ++id) {
    ASSERT_TRUE(Db(source_).Exec("INSERT INTO orders (id, note) VALUES (" + std::to_string(id) +
                                 ", 'before the cutover')"));
    acked.push_back(id);
  }
  RunResult killed =
      Peerlock("cutover", {}, {{"PEERLOCK_FAULT", std::string("cutover.") + GetParam() + ":1"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();

  RunResult rerun = Peerlock("cutover");
  ASSERT_TRUE(rerun.exit_code == 0 || rerun.exit_code == 1) << rerun.Describe();
  RunResult status = Peerlock("cutover", {"--status"});
  const bool on_target = status.out.find("\"active\": \"target\"") != std::string::npos;
  if (rerun.exit_code == 0) {
    EXPECT_TRUE(on_target) << status.out;
  }
  EXPECT_NE(Writable(source_, 90041), on_target) << status.out;
  EXPECT_TRUE(Writable(target_, 90042) || !on_target) << status.out;
  EXPECT_EQ(Missing(on_target ? target_ : source_, acked), std::vector<int64_t>{});
  EXPECT_EQ(FileExists(dir_.File("active")) &&
                ReadFile(dir_.File("active")).find("target") != std::string::npos,
            on_target);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, CutoverKilled,
                         ::testing::Values("reverse_capture", "baseline_verify", "freeze_source",
                                           "drain", "verify", "sequences", "thaw_target",
                                           "switch_traffic", "smoke_test", "done"));

// The same for a rollback: killed after any of its steps, a re-run finishes it, and every row
// the application wrote to the new database is on the old one.
class RollbackKilled : public Cutover, public ::testing::WithParamInterface<const char*> {};

TEST_P(RollbackKilled, RerunFinishes) {
  Plan(kSwitchHooks);
  ASSERT_EQ(Peerlock("sync", {"--until-caught-up"}).exit_code, 0);
  ASSERT_EQ(Peerlock("cutover").exit_code, 0);
  std::vector<int64_t> acked;
  for (int64_t id = 6001; id <= 6010; ++id) {
    ASSERT_TRUE(Db(target_).Exec("INSERT INTO orders (id, note) VALUES (" + std::to_string(id) +
                                 ", 'after the cutover')"));
    acked.push_back(id);
  }
  RunResult killed =
      Peerlock("rollback", {}, {{"PEERLOCK_FAULT", std::string("cutover.") + GetParam() + ":1"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  RunResult rerun = Peerlock("rollback");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.Describe();
  EXPECT_TRUE(Writable(source_, 90051));
  EXPECT_FALSE(Writable(target_, 90052));
  EXPECT_EQ(Missing(source_, acked), std::vector<int64_t>{});
  EXPECT_EQ(ReadFile(dir_.File("active")), "source\n");
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RollbackKilled,
                         ::testing::Values("freeze_target", "drain_reverse", "sequences_back",
                                           "restart_forward", "thaw_source", "switch_back",
                                           "done"));

}  // namespace
}  // namespace peerlock::scenario
