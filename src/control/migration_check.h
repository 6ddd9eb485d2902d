#pragma once
// `peerlock check` and `peerlock bench`: runs the preflight (engine/check/preflight.h) and records
// it as a run of kind "check" (failed while a blocker remains), so the report's timeline shows it.
// Not thread-safe (uses the Migration).

#include "control/migration.h"
#include "engine/check/bench.h"
#include "engine/check/preflight.h"

namespace peerlock {

Result<CheckReport> RunCheck(Migration& migration);

// `peerlock bench`, recorded as a run of kind "bench" (failed when a target is missed).
Result<BenchResult> RunBenchmark(Migration& migration, const BenchOptions& options);

}  // namespace peerlock
