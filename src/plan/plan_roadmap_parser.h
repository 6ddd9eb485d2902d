#pragma once
// Internal to src/plan: reads the roadmap sections of a plan file (plan_roadmap.h) and checks
// the names they use across sections: `depends_on`, `owners`, a wave's `systems` and a
// window's `waves` must name something the plan defines ("source" and "target" are systems
// too). Each error is located at the value and lists the valid names.

#include <vector>

#include "base/error.h"
#include "plan/plan.h"
#include "plan/plan_yaml.h"

namespace peerlock::plan_internal {

Result<Objectives> ParseObjectives(const PlanYaml& yaml, const Field& section);
Result<RollbackPlan> ParseRollback(const PlanYaml& yaml, const Field& section);
Result<std::vector<OwnerSpec>> ParseOwners(const PlanYaml& yaml, const Field& section);
Result<std::vector<SystemSpec>> ParseSystems(const PlanYaml& yaml, const Field& section);
Result<std::vector<WaveSpec>> ParseWaves(const PlanYaml& yaml, const Field& section);
Result<std::vector<HookSpec>> ParseHooks(const PlanYaml& yaml, const Field& section);
Result<std::vector<ScheduleWindow>> ParseSchedule(const PlanYaml& yaml, const Field& section);

// A duration value such as 30s; `hint` says what it is for.
Result<double> ParseDurationField(const PlanYaml& yaml, const Field& field,
                                  const std::string& hint);

// Cross-section names, after every section is read; copies owners onto systems and waves.
Status CheckRoadmapReferences(const PlanYaml& yaml, Plan& plan);

// The elements of a list section, each as a Field named "<path>[i]"; an empty value is none.
Result<std::vector<Field>> ListItems(const PlanYaml& yaml, const Field& list,
                                     const std::string& expected);

}  // namespace peerlock::plan_internal
