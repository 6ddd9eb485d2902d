#pragma once
// Following a schema change the change stream stopped at (kGainedColumnsNative): columns added
// to a captured table on the source. Only pure additions are followed: every captured column is
// still there, and each new one is nullable, without a default and not generated, so the rows
// already on the target are right with NULL in it. Each is added to the target table (unless a
// run cut short already added it); the sync then reopens its stream from the target's position
// with the new columns. Anything else (a rename, a drop, NOT NULL, a default) is an error naming
// the table, the column and why. Blocks; not thread-safe.

#include <string>
#include <vector>

#include "connector/change_capture.h"
#include "engine/engine_context.h"

namespace peerlock {

// `captured`: the spec the stream ran with. `fresh`: the inventory read now, plan rules applied.
// Returns the "table.column" source names added on the target (empty: nothing was gained).
Result<std::vector<std::string>> FollowAddedColumns(const EngineContext& ctx,
                                                    const CaptureSpec& captured,
                                                    const Inventory& fresh);

}  // namespace peerlock
