#pragma once
// The migration checklist of ROADMAP.md, decided from recorded runs only: an item is "done"
// when a run the state store recorded proves it, "not yet" otherwise, and every item says which
// evidence decided it. Nothing is ticked by hand or by assumption.
//   inventory completed   an inventory run succeeded
//   data copied           a copy run succeeded
//   validation passed     the latest verify run found every table equal
//   proof of concept passed, plan versioned, pilot successful, final sync and cutover done,
//   monitoring and backups validated, legacy decommissioned: nothing records them yet, so
//   they stay "not yet".
// Pure function of its arguments; thread-safe.

#include <nlohmann/json.hpp>
#include <string>

namespace peerlock {

// The checklist of `migration`, in ROADMAP order, from `runs` (report-model runs, oldest first;
// runs of other migrations are ignored). Each item:
// {migration, id, item, done, state: "done"|"not yet", evidence}.
nlohmann::json BuildChecklist(const std::string& migration, const nlohmann::json& runs);

}  // namespace peerlock
