#pragma once
// Waves, one at a time (`peerlock migrate --wave NAME`), with the plan's approval gates
// (`peerlock approve gate:NAME`) and a pause switch (`peerlock pause` / `resume`).
//
// A wave runs only when every earlier wave (file order) is done, and not while the migration
// is paused. Its tables are copied (the wave's `where` filter applied; a table that an earlier
// filtered wave already started is appended to) and verified (against the union of the
// filters of every wave so far, so rows of earlier waves count as expected). A wave with
// `approve: true` then stops at its gate: the run is recorded as "awaiting-approval" and the
// next `migrate --wave` of the same wave, after `approve`, finishes it. Every step is a run in
// the state store ("wave", "approval", "pause", "resume"), which is the evidence the checklist
// reads (the first wave is the pilot). Not thread-safe (uses the Migration).

#include <nlohmann/json.hpp>
#include <string>

#include "control/migration.h"

namespace peerlock {

struct WaveOutcome {
  std::string wave;
  std::string state;  // "succeeded", "awaiting-approval", "differences"
  nlohmann::json summary;
};

// kNotFound for an unknown wave (naming the valid ones), kBlocked when an earlier wave is not
// done, the migration is paused, the wave was already copied and waits at its gate, or the wave
// appends (a `where`, or tables an earlier wave started) and a run of it already put rows in
// (finished or not): copying it again would add them a second time. `again` copies anyway, once
// the user has removed those rows from the target.
Result<WaveOutcome> MigrateWave(Migration& migration, const std::string& wave,
                                const CopyOptions& copy_options, bool again = false);

// Records the approval of `step` (a gate id from `peerlock plan`, e.g. gate:pilot).
Status ApproveStep(Migration& migration, const std::string& step, const std::string& by);

// Records a pause (`paused` true) or a resume.
Status SetPaused(Migration& migration, bool paused);

}  // namespace peerlock
