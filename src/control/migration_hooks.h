#pragma once
// The plan's hooks around the data path outside the cutover (which runs its own): before_copy
// and after_copy around `peerlock copy` and each wave's copy (`peerlock migrate --wave`), and
// decommission after `peerlock purge` emptied the source. A hook the plan does not define is
// skipped. A failing hook is an error naming it (engine/cutover/hook_runner.h): before_copy's
// stops the copy before it starts; after_copy's and decommission's come after the work is done
// and recorded, and make the command fail. Blocks; thread-safe (no shared state).

#include <map>
#include <string>

#include "engine/engine_context.h"

namespace peerlock {

// `phase` becomes PEERLOCK_PHASE; `extra` is added to the hook's environment (PEERLOCK_WAVE).
Status RunPlanHook(const EngineContext& ctx, const std::string& name, const std::string& phase,
                   const std::map<std::string, std::string>& extra = {});

}  // namespace peerlock
