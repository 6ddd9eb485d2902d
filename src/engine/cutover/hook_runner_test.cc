#include "engine/cutover/hook_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/child_processes.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;
using testing::PidFromFile;
using testing::ProcessGoneWithin10s;
using testing::ScratchDir;

// A plan file in `dir` with one hook, defined at line 7, column 3.
Plan PlanWithHook(const fs::path& dir, const std::string& name, const std::string& command,
                  double timeout_seconds = 60) {
  Plan plan;
  plan.file = (dir / "peerlock.yaml").string();
  plan.hooks.push_back({.name = name,
                        .command = command,
                        .timeout_seconds = timeout_seconds,
                        .where = {.line = 7, .column = 3}});
  return plan;
}

// A kBlocked error with exactly `message` and a hint mentioning `hint_part`.
void ExpectHookError(const Result<HookOutcome>& outcome, const std::string& message,
                     const std::string& hint_part) {
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), ErrorCode::kBlocked);
  EXPECT_EQ(outcome.error().message(), message);
  EXPECT_NE(outcome.error().hint().find(hint_part), std::string::npos) << outcome.error().hint();
}

TEST(HookRunner, RunsInThePlansDirectoryWithItsEnvironment) {
  ScratchDir dir("hook-ok");
  Plan plan = PlanWithHook(dir.path(), "smoke_test",
                           "echo hook=$PEERLOCK_HOOK phase=$PEERLOCK_PHASE; pwd; echo warn >&2");
  auto outcome = RunHook(plan, "smoke_test", {{"PEERLOCK_PHASE", "smoke"}});
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_TRUE(outcome->ran);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_GE(outcome->seconds, 0);
  EXPECT_EQ(outcome->output_tail,
            "hook=smoke_test phase=smoke\n" + fs::canonical(dir.path()).string() + "\nwarn");
}

TEST(HookRunner, KeepsOnlyTheLastTwentyLines) {
  ScratchDir dir("hook-tail");
  auto outcome = RunHook(PlanWithHook(dir.path(), "after_copy", "seq 1 50"), "after_copy", {});
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_TRUE(outcome->output_tail.starts_with("31\n32\n")) << outcome->output_tail;
  EXPECT_TRUE(outcome->output_tail.ends_with("\n50")) << outcome->output_tail;
}

TEST(HookRunner, FailingHookIsAnErrorNamingItsPlaceCodeAndLastLine) {
  ScratchDir dir("hook-fail");
  Plan plan = PlanWithHook(dir.path(), "switch_traffic", "echo first; echo 'no route' >&2; exit 3");
  ExpectHookError(RunHook(plan, "switch_traffic", {}),
                  "hook switch_traffic (" + plan.file + ":7:3) exited with code 3: no route",
                  "fix the script");
}

TEST(HookRunner, TimeoutKillsTheHookAndWhatItStarted) {
  ScratchDir dir("hook-timeout");
  Plan plan = PlanWithHook(dir.path(), "smoke_test",
                           "sh -c 'sleep 30 & echo $! > grandchild.pid; wait'", 0.2);
  ExpectHookError(RunHook(plan, "smoke_test", {}),
                  "hook smoke_test (" + plan.file + ":7:3) did not finish within 200ms (killed)",
                  "hooks.timeout");
  // The pid file sits in the plan's directory: the hook ran there.
  pid_t grandchild = PidFromFile(dir.path() / "grandchild.pid");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ProcessGoneWithin10s(grandchild)) << "sleep " << grandchild << " outlived it";
}

// Ctrl-C does not reach the hook (its own process group): the cancel flag kills it instead of
// the freeze waiting out the hook's timeout.
TEST(HookRunner, CancelKillsTheHookAndWhatItStarted) {
  ScratchDir dir("hook-cancel");
  Plan plan = PlanWithHook(dir.path(), "freeze_source",
                           "sh -c 'sleep 30 & echo $! > grandchild.pid; wait'", 60);
  CancelFlag cancel;
  std::thread interrupter([&] {
    // Raised once the hook has started its grandchild (a condition, polled).
    while (!fs::exists(dir.path() / "grandchild.pid") ||
           fs::file_size(dir.path() / "grandchild.pid") == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    cancel.Cancel();
  });
  auto outcome = RunHook(plan, "freeze_source", {}, &cancel);
  interrupter.join();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), ErrorCode::kCancelled);
  EXPECT_EQ(outcome.error().message(),
            "hook freeze_source (" + plan.file + ":7:3) was interrupted (killed)");
  pid_t grandchild = PidFromFile(dir.path() / "grandchild.pid");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ProcessGoneWithin10s(grandchild)) << "sleep " << grandchild << " outlived it";
}

TEST(HookRunner, MissingHookDoesNotRun) {
  ScratchDir dir("hook-missing");
  auto outcome = RunHook(PlanWithHook(dir.path(), "smoke_test", "exit 1"), "rollback", {});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(outcome->ran);
}

TEST(HookRunner, PlanWithoutFileRunsInOurDirectory) {
  Plan plan;
  plan.hooks.push_back({.name = "before_copy", .command = "pwd"});
  auto outcome = RunHook(plan, "before_copy", {});
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_EQ(outcome->output_tail, fs::current_path().string());
}

}  // namespace
}  // namespace peerlock
