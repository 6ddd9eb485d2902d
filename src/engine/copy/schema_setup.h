#pragma once
// Target schema around the data: tables before it (honouring --if-exists), and after it the
// indexes, unique constraints, views and triggers, then a foreign-key check. Each statement is
// idempotent, so a resumed copy can rerun this safely.

#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

// Creates each target table, or refuses/drops/keeps an existing non-empty one per `if_exists`.
// Returns true when the whole schema was cloned from the source by the dialect's own dump tool
// (same dialect, no table reshaped by the plan, none present yet on the target).
Result<bool> PrepareTargetTables(const EngineContext& ctx, const Inventory& inventory,
                                 IfExists if_exists, Session& target);

struct PostDataResult {
  std::vector<std::string> warnings;              // objects that could not be created
  std::vector<std::string> foreign_key_problems;  // rows violating a foreign key
  int sequences_set = 0;
};

// Indexes, constraints, views and triggers after the data (in parallel across the target's
// writers), then sequences set to the source's values. `schema_cloned` as PrepareTargetTables
// returned: the post-data part then comes from the same dump tool.
Result<PostDataResult> FinishTargetSchema(const EngineContext& ctx, const Inventory& inventory,
                                          Session& target, bool schema_cloned);

}  // namespace peerlock
