#pragma once
// The roadmap parts of the report model (report_model.h), added after the runs are gathered:
//   plan       {file, steps: [{id, title, gate}], objectives: {max_downtime_seconds,
//               max_lag_seconds, queries: [{name, p50_seconds, p95_seconds}]}, owners: [..],
//               rollback: {when, within_seconds}, waves: [{name, tables, where, approve}]}
//              (absent without a plan)
//   inventory  the latest succeeded inventory run's {run, systems, system_order, wave_order,
//               wave_problems, system_cycles, table_cycles, load_order, warnings, mermaid,
//               diagram_svg} (absent before one)
//   charts     {lag: [{label, value}], freeze: [{label, value}]}: sync runs' lag_seconds (or
//               their lag_samples [{at, lag_seconds}]) and cutover runs' freeze_seconds
//   credentials [{side, who, secret, due, reason, changed_at}]: the rotation reminders
//               (engine/check/credential_rotation.h), added by RenderReport when it has a plan
//   lessons    [text]: what went wrong, prefilled from incidents, unmet objectives, wave-order
//               problems, inventory warnings and unticked checklist items
// Tolerant of whatever the runs recorded; never throws. Pure; thread-safe.

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace peerlock {

// `plan` may be null (a report from --source/--target or a state directory alone).
void AddRoadmapModel(nlohmann::json& model, const Plan* plan);

}  // namespace peerlock
