#pragma once
// `peerlock cutover` and `peerlock rollback`: the switch from the old database to the new one
// and back, as a persisted state machine (docs/cutover.md). Every step is recorded before and
// after it runs, is idempotent, and is logged to the audit log with its timing, so a re-run
// after a crash (kill -9 at any instant) finishes the cutover or undoes it: never both
// databases writable, never neither.
//
//   cutover:  preflight -> reverse_capture -> baseline_verify -> freeze_source -> drain
//             -> verify -> sequences -> thaw_target -> switch_traffic -> smoke_test -> done
//   rollback: freeze_target -> drain_reverse -> sequences_back -> restart_forward
//             -> thaw_source -> switch_back -> done
//
// From freeze_source until traffic is switched the source refuses writes; when that lasts
// longer than `max_freeze`, or the final verify finds a difference, the cutover is undone
// (source thawed, traffic left on it). After the switch, a failed smoke test rolls back.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_context.h"
#include "engine/sync/sync_step.h"

namespace peerlock {

struct CutoverOptions {
  bool dry_run = false;                                 // preflight only: report what would happen
  std::optional<std::chrono::milliseconds> max_freeze;  // default: objectives.max_downtime, 30 s
  std::chrono::milliseconds grace{2000};  // sessions' time to finish their transaction
  std::string wave;                       // cut over this wave's tables (all in scope when empty)
  bool auto_rollback = true;              // roll back by itself when a smoke test fails
  bool force = false;                     // rollback: even past the plan's rollback.within window
};

struct StepTiming {
  std::string name;
  double seconds = 0;
  std::string note;
};

struct CutoverSummary {
  std::string kind;     // "cutover" or "rollback"
  std::string outcome;  // "done", "dry run", "aborted", "rolled back"
  std::string reason;   // why it was aborted or rolled back
  std::vector<StepTiming> steps;
  std::vector<std::string> findings;     // preflight warnings (and, for a dry run, blockers)
  std::optional<double> freeze_seconds;  // first write refused .. traffic on the other side
  std::optional<double> max_downtime_seconds;
  std::string active;  // where traffic goes now: "source" or "target"
};

// Runs (or resumes, or finishes undoing) the cutover. An abort or a rollback is a summary with
// that outcome, not an error: the caller decides the exit code. Errors mean the machine could
// not go on (a blocker in preflight, a database that stays unreachable); the state it reached
// is kept and a re-run continues from there.
Result<CutoverSummary> RunCutover(const EngineContext& ctx, const CutoverOptions& options);

// Goes back to the source after a cutover (or resumes a rollback cut short).
Result<CutoverSummary> RunRollback(const EngineContext& ctx, const CutoverOptions& options);

// The recorded state of the last cutover or rollback (empty object when none).
Result<nlohmann::json> CutoverStatus(const EngineContext& ctx);

// After a cutover, follows the (new) target's changes into the (old) source, so that a
// rollback finds it current: `peerlock sync --reverse`. Like RunSync: blocks until stopped or
// drained (by `peerlock rollback`). kBlocked when there has been no cutover.
Result<SyncSummary> RunReverseSync(const EngineContext& ctx, const SyncOptions& options);
// The reverse sync's published status (empty object when there is none).
Result<nlohmann::json> ReverseSyncStatus(const EngineContext& ctx);

std::string CutoverSummaryText(const CutoverSummary& summary);
nlohmann::json CutoverSummaryToJson(const CutoverSummary& summary);

}  // namespace peerlock
