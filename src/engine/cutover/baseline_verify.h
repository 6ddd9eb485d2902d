#pragma once
// The cutover's verify in two halves (docs/cutover.md, "Why the final verify is short"). Before
// the freeze, while the applications write: a watch on the rows the sync applies, a full verify
// of both live sides, then catch-up rounds that compare again, still live, the rows applied
// meanwhile — each round under a new watch, so the set left shrinks to what one short round
// lets through. Under the freeze, the final verify compares counts plus only that set.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/key_range.h"
#include "engine/engine_context.h"

namespace peerlock {

struct Baseline {
  int64_t epoch = 0;                // the watch the final verify reads; 0: no baseline
  std::vector<std::string> tables;  // compared row by row under the freeze; others in full
  std::string note;                 // for the step's record
};

using KeyFocus = std::map<std::string, std::vector<KeyTuple>>;

// Runs the baseline over `tables` (source names). Without a sync acknowledging its watch, the
// baseline is empty (epoch 0) and the final verify compares everything.
Result<Baseline> RunBaselineVerify(const EngineContext& ctx,
                                   const std::vector<std::string>& tables);

// The keys the final verify compares, per table of the baseline: those found different and
// those applied under its watch. Tables whose keys were not all listed are left out (compared
// in full). Nullopt when the watch is no longer `epoch` (replaced, or stopped).
Result<std::optional<KeyFocus>> FinalVerifyFocus(const EngineContext& ctx, int64_t epoch,
                                                 const std::vector<std::string>& tables);

}  // namespace peerlock
