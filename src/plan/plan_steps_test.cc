#include "plan/plan_steps.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

std::vector<std::string> Ids(const std::vector<PlanStep>& steps) {
  std::vector<std::string> ids;
  for (const PlanStep& step : steps) ids.push_back(step.id);
  return ids;
}

TEST(PlanSteps, FollowTheRoadmapWithWavesInFileOrder) {
  auto plan = ParsePlan(R"yaml(source: {url: sqlite:///a.db}
target: {url: sqlite:///b.db}
objectives: {max_downtime: 30s, queries: [{name: q, sql: "SELECT 1", p95: 20ms}]}
rollback: {when: [smoke_test fails, error rate above 1%]}
waves:
  - {name: reference, tables: [countries]}
  - {name: pilot, tables: [orders], where: "region = 'nl'", approve: true}
hooks: {switch_traffic: ./switch.sh, timeout: 45s}
schedule: [{name: night, start: "2026-12-01T02:00:00Z", duration: 2h, waves: [pilot]}]
)yaml",
                        "/p/peerlock.yaml");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  std::vector<PlanStep> steps = BuildPlanSteps(*plan);
  EXPECT_EQ(Ids(steps),
            (std::vector<std::string>{
                "inventory", "check", "sample", "wave:reference", "cutover:reference", "wave:pilot",
                "gate:pilot", "cutover:pilot", "copy", "cutover", "post-checks", "report"}));
  EXPECT_TRUE(steps[6].gate);
  EXPECT_EQ(steps[6].command, "peerlock approve gate:pilot");
  std::string text = PlanStepsToText(*plan, steps);
  EXPECT_NE(text.find("window night: 2026-12-01T02:00:00Z to +2h"), std::string::npos) << text;
  EXPECT_NE(text.find("hook switch_traffic: ./switch.sh (timeout 45s)"), std::string::npos);
  EXPECT_NE(text.find("max downtime 30s"), std::string::npos);
  EXPECT_NE(text.find("query q: p95 <= 20ms"), std::string::npos);
  EXPECT_NE(text.find("roll back if: smoke_test fails; error rate above 1%"), std::string::npos);
  EXPECT_NE(text.find("not evaluated by PeerLock (watch it, then `peerlock rollback`): error rate "
                      "above 1%"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(GATE)"), std::string::npos);
}

TEST(PlanSteps, WithoutWavesOneCopyMovesEverything) {
  std::vector<PlanStep> steps = BuildPlanSteps(PlanFromUrls("sqlite:///a.db", "sqlite:///b.db"));
  EXPECT_EQ(Ids(steps), (std::vector<std::string>{"inventory", "check", "sample", "copy", "cutover",
                                                  "post-checks", "report"}));
  EXPECT_EQ(steps[3].title, "copy every table in scope, then verify");
}

}  // namespace
}  // namespace peerlock
