#pragma once
// The migration checklist of ROADMAP.md, decided from recorded runs only: an item is "done"
// when a run the state store recorded proves it, "not yet" otherwise, and every item says which
// evidence decided it. Nothing is ticked by hand or by assumption.
//   inventory completed   an inventory run succeeded
//   data copied           a copy run succeeded
//   validation passed     the latest verify run found every table equal
//   proof of concept passed   a "sample" run succeeded and its summary says equal: true
//   plan versioned            a "plan-version" run succeeded (`peerlock status` records one
//                             after asking git that the plan is committed and unchanged)
//   pilot successful          a "wave" run succeeded with summary pilot: true and equal: true
//   final sync and cutover    a "cutover" run succeeded
//   monitoring and backups    a "restore-drill" run succeeded with summary restore_verified and
//                             monitoring_ok both true
//   legacy decommissioned     a "decommission" run succeeded
// A summary's "evidence" text, when recorded, is quoted in the item's evidence.
// Pure function of its arguments; thread-safe.

#include <nlohmann/json.hpp>
#include <string>

namespace peerlock {

// The run kind that records the plan file's git state.
inline constexpr char kPlanVersionKind[] = "plan-version";

// The checklist of `migration`, in ROADMAP order, from `runs` (report-model runs, oldest first;
// runs of other migrations are ignored). Each item:
// {migration, id, item, done, state: "done"|"not yet", evidence}.
nlohmann::json BuildChecklist(const std::string& migration, const nlohmann::json& runs);

}  // namespace peerlock
