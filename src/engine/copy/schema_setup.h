#pragma once
// Target schema around the data: tables before it (honouring --if-exists), and after it the
// indexes, unique constraints, views and triggers, then a foreign-key check. Each statement is
// idempotent, so a resumed copy can rerun this safely.

#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

// Creates each target table, or refuses/drops/keeps an existing non-empty one per `if_exists`.
Status PrepareTargetTables(const EngineContext& ctx, const Inventory& inventory, IfExists if_exists,
                           Session& target);

struct PostDataResult {
  std::vector<std::string> warnings;              // objects that could not be created
  std::vector<std::string> foreign_key_problems;  // rows violating a foreign key
};

Result<PostDataResult> FinishTargetSchema(const EngineContext& ctx, const Inventory& inventory,
                                          Session& target);

}  // namespace peerlock
