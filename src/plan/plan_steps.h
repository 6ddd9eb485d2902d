#pragma once
// The ordered steps a plan stands for: the ROADMAP phases applied to this plan's databases,
// systems and waves (inventory, check, proof of concept, each wave with its gate, the final
// cutover, post-migration checks, the report). `peerlock plan` prints them; `migrate` and
// `approve` name steps by id. Pure; thread-safe.

#include <string>
#include <vector>

#include "plan/plan.h"

namespace peerlock {

struct PlanStep {
  std::string id;     // "inventory", "wave:pilot", "gate:pilot", "cutover", ...
  std::string phase;  // the ROADMAP phase it belongs to
  std::string title;  // one line
  std::vector<std::string> details;
  std::string command;  // the peerlock command that runs it
  bool gate = false;    // waits for `peerlock approve <id>`
};

std::vector<PlanStep> BuildPlanSteps(const Plan& plan);

// The steps as numbered text, followed by objectives, rollback criteria, owners and hooks.
std::string PlanStepsToText(const Plan& plan, const std::vector<PlanStep>& steps);

}  // namespace peerlock
