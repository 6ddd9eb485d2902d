// The plan's hooks around the copy and the decommission, with the real binary on SQLite:
// before_copy and after_copy run around `peerlock copy` in that order with the migration's
// variables; a failing before_copy stops the copy before anything is created; decommission runs
// once `peerlock purge` emptied the source.
#include <gtest/gtest.h>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

class Hooks : public ::testing::Test {
 protected:
  void SetUp() override {
    Db db(source_);
    ASSERT_TRUE(
        db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                "INSERT INTO t VALUES (1, 'a'), (2, 'b');"));
  }
  void Plan(const std::string& hooks) {
    WriteFile(plan_, "source: {url: \"" + SqliteUrl(source_) + "\"}\ntarget: {url: \"" +
                         SqliteUrl(target_) + "\"}\nhooks:\n" + hooks);
  }
  // Each hook appends its name, phase and the target URL it was given (hooks run in the plan's
  // directory: the log is next to the plan).
  static std::string Logging(const std::string& name) {
    return "  " + name +
           ": \"echo $PEERLOCK_HOOK $PEERLOCK_PHASE $PEERLOCK_TARGET_URL >> hooks.log\"\n";
  }

  TempDir dir_;
  std::string source_ = dir_.File("legacy.db"), target_ = dir_.File("new.db");
  std::string plan_ = dir_.File("peerlock.yaml");
};

TEST_F(Hooks, BeforeAndAfterCopyRunAroundTheCopy) {
  Plan(Logging("before_copy") + Logging("after_copy"));
  RunResult copy = RunPeerlock({"copy", "--plan", plan_});
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  EXPECT_EQ(ReadFile(dir_.File("hooks.log")), "before_copy copy " + SqliteUrl(target_) +
                                                  "\nafter_copy copy " + SqliteUrl(target_) + "\n");
  Db db(target_);
  EXPECT_EQ(db.Int("SELECT count(*) FROM t"), 2);
}

TEST_F(Hooks, AFailingBeforeCopyStopsTheCopyBeforeItStarts) {
  Plan("  before_copy: \"echo cron still running >&2; exit 4\"\n" + Logging("after_copy"));
  RunResult copy = RunPeerlock({"copy", "--plan", plan_});
  EXPECT_EQ(copy.exit_code, 1) << copy.Describe();
  EXPECT_NE(copy.err.find("hook before_copy"), std::string::npos) << copy.Describe();
  EXPECT_NE(copy.err.find("exited with code 4: cron still running"), std::string::npos)
      << copy.Describe();
  EXPECT_FALSE(FileExists(target_));
  EXPECT_FALSE(FileExists(dir_.File("hooks.log")));
}

TEST_F(Hooks, DecommissionRunsOnceThePurgeEmptiedTheSource) {
  Plan(Logging("decommission"));
  ASSERT_EQ(RunPeerlock({"copy", "--plan", plan_}).exit_code, 0);
  std::string archive = dir_.File("archive");
  RunResult archived =
      RunPeerlock({"archive", "--plan", plan_, "--retain", "30d", "--force", "--out", archive});
  ASSERT_EQ(archived.exit_code, 0) << archived.Describe();
  EXPECT_FALSE(FileExists(dir_.File("hooks.log"))) << "decommission ran before the purge";
  RunResult purged = RunPeerlock(
      {"purge", "--plan", plan_, "--archive", archive, "--confirm", SqliteUrl(source_), "--force"});
  ASSERT_EQ(purged.exit_code, 0) << purged.Describe();
  EXPECT_EQ(ReadFile(dir_.File("hooks.log")),
            "decommission decommission " + SqliteUrl(target_) + "\n");
}

}  // namespace
}  // namespace peerlock::scenario
