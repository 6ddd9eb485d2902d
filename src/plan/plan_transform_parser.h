#pragma once
// Internal to src/plan: reads the `transform:` section of a plan file, the per-table and
// per-column rules, and checks what can be checked without the source catalog (rule
// combinations, cast type names, columns renamed onto each other). The checks that need the
// catalog live in ValidatePlanAgainstCatalog.

#include <map>
#include <string>

#include "base/error.h"
#include "plan/plan.h"
#include "plan/plan_yaml.h"

namespace peerlock::plan_internal {

// Source table name -> its transform; an empty section yields an empty map.
Result<std::map<std::string, TableTransform>> ParseTransforms(const PlanYaml& yaml,
                                                              const Field& section);

}  // namespace peerlock::plan_internal
