#include <iostream>

#include "cli/commands.h"
#include "cli/roadmap_commands.h"
#include "plan/plan_steps.h"

namespace peerlock {

int RunPlanCommand(const MigrationRef& ref, bool json) {
  std::string file = ref.plan_file.empty() ? "peerlock.yaml" : ref.plan_file;
  auto plan = LoadPlanFile(file);
  if (!plan) return ReportError(plan.error());
  std::vector<PlanStep> steps = BuildPlanSteps(*plan);
  if (!json) {
    std::cout << PlanStepsToText(*plan, steps);
    return kExitOk;
  }
  nlohmann::json out = {{"plan", plan->file}, {"valid", true}, {"steps", nlohmann::json::array()}};
  for (const PlanStep& step : steps) {
    out["steps"].push_back({{"id", step.id},
                            {"phase", step.phase},
                            {"title", step.title},
                            {"details", step.details},
                            {"command", step.command},
                            {"gate", step.gate}});
  }
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

}  // namespace peerlock
