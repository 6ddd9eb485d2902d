#pragma once
// Runs one of the plan's hooks (plan `hooks:`, HookSpec): `/bin/sh -c <command>` in the plan
// file's directory, with PEERLOCK_HOOK=<name> and the caller's variables in its environment,
// killed with its whole process group when its timeout passes. The cutover runs switch_traffic
// and smoke_test this way while the source is frozen, so a hook can never hold the freeze longer
// than its timeout (plus a 2 s kill grace). Blocks; thread-safe (no shared state).

#include <map>
#include <string>

#include "base/cancel.h"
#include "base/error.h"
#include "plan/plan.h"

namespace peerlock {

struct HookOutcome {
  bool ran = false;         // false: the plan has no such hook (nothing else is set)
  int exit_code = 0;        // 0 whenever RunHook succeeds
  double seconds = 0;       // how long it ran
  std::string output_tail;  // the last lines (~20) of stdout and stderr, interleaved as written
};

// Runs hook `name` when the plan has one. `env` is added to our environment (the cutover passes
// PEERLOCK_MIGRATION, PEERLOCK_PHASE, PEERLOCK_ACTIVE, redacted PEERLOCK_SOURCE_URL/TARGET_URL);
// its values are never logged. A non-zero exit or a timeout is an ErrorCode::kBlocked error
// naming the hook and where the plan defines it; kNotFound when /bin/sh or the plan's directory
// cannot be used; kCancelled when `cancel` is raised while it runs (the hook is killed).
// Logs start and end at info level.
Result<HookOutcome> RunHook(const Plan& plan, const std::string& name,
                            const std::map<std::string, std::string>& env,
                            const CancelFlag* cancel = nullptr);

}  // namespace peerlock
