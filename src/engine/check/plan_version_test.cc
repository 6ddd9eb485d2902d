#include "engine/check/plan_version.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/process.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;

void Git(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir.string(), "-c", "user.name=t", "-c",
                             "user.email=t@example.com", "-c", "commit.gpgsign=false"});
  auto result = RunProcess(args);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->exit_code, 0) << result->err;
}

TEST(PlanVersion, TicksOnlyACommittedUnchangedPlan) {
  fs::path dir = fs::temp_directory_path() / ("peerlock-planver-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path plan = dir / "peerlock.yaml";
  std::ofstream(plan) << "source: {url: sqlite:///a.db}\n";

  PlanVersion outside = CheckPlanVersion(plan.string());
  EXPECT_FALSE(outside.versioned);
  EXPECT_NE(outside.evidence.find("not in a git repository"), std::string::npos)
      << outside.evidence;

  Git(dir, {"init", "-q"});
  PlanVersion untracked = CheckPlanVersion(plan.string());
  EXPECT_FALSE(untracked.versioned);
  EXPECT_NE(untracked.evidence.find("is not committed"), std::string::npos) << untracked.evidence;

  Git(dir, {"add", "peerlock.yaml"});
  Git(dir, {"commit", "-q", "-m", "plan"});
  PlanVersion committed = CheckPlanVersion(plan.string());
  EXPECT_TRUE(committed.versioned) << committed.evidence;
  EXPECT_EQ(committed.commit.size(), 40u);

  std::ofstream(plan, std::ios::app) << "target: {url: sqlite:///b.db}\n";
  PlanVersion edited = CheckPlanVersion(plan.string());
  EXPECT_FALSE(edited.versioned);
  EXPECT_NE(edited.evidence.find("changed since commit " + committed.commit.substr(0, 12)),
            std::string::npos)
      << edited.evidence;
  fs::remove_all(dir);
}

TEST(PlanVersion, NoPlanFileIsNotVersioned) { EXPECT_FALSE(CheckPlanVersion("").versioned); }

}  // namespace
}  // namespace peerlock
