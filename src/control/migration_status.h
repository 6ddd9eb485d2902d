#pragma once
// `peerlock status`: where a migration stands, from the state store only. It first records the
// plan's git state (a "plan-version" run, only when it changed since the last one recorded), then
// gathers the latest run of every kind and the checklist (engine/report/report_checklist.h: each
// item ticked only from recorded evidence, with the evidence shown).
//
// Extension point for `peerlock sync`: the latest run of kind "sync" is shown as the "sync"
// block; its summary JSON is printed as recorded. A summary with
//   {"lag_seconds": 1.2, "tables": [{"table": "orders", "state": "streaming", ...}]}
// gets the lag on one line and one line per table; any other key is printed as "key: value".
// Not thread-safe (uses the Migration).

#include <nlohmann/json.hpp>
#include <string>

#include "control/migration.h"

namespace peerlock {

// {migration, source, target, plan_version, latest: [{kind, id, status, started_at,
//  finished_at}], checklist: [...], done, total, sync: summary-or-null, reverse_sync, cutover,
//  proxy, credentials: [{side, who, secret, due, reason, changed_at}] (ROADMAP phase 8's
//  rotation reminders, engine/check/credential_rotation.h; server sides only)}
Result<nlohmann::json> MigrationStatus(Migration& migration);

std::string MigrationStatusText(const nlohmann::json& status);

}  // namespace peerlock
