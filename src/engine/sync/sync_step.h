#pragma once
// The sync step (`peerlock sync`): a warm migration. Starts change capture on the source (whose
// snapshot the copy reads, where the dialect can share one), runs the parallel copy, then
// applies every change committed after the capture's start, in commit order, folded into
// batches that each land in one target transaction with their source position, and confirms
// the position to the source only after the target committed it. Killed at any instant, it
// resumes from the position the target holds: no change lost, none applied twice.
// Publishes its status (lag, throughput, per-table counts) in the state store every second.
// Blocks until stopped (ctx.cancel), drained (a cutover's request), caught up (when asked),
// or `stop_at` is reached.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

struct SyncOptions {
  std::vector<std::string> tables;  // source tables; empty = all in scope
  int workers = 2;                  // copy readers
  IfExists if_exists = IfExists::kFail;
  bool until_caught_up = false;  // stop once every change committed before streaming began
                                 // (or before a restart's stream opened) is applied
};

struct SyncSummary {
  bool copied = false;  // this run performed (or resumed) the initial copy
  int64_t copied_rows = 0;
  int64_t txns = 0;             // source transactions applied by this run
  int64_t changes = 0;          // row changes applied by this run
  std::string position;         // last applied source position
  std::string stopped_because;  // "cancelled", "caught up", "stop_at", "drained"
  double seconds = 0;
};

Result<SyncSummary> RunSync(const EngineContext& ctx, const SyncOptions& options);

// The last published status of this migration's sync (empty object when there is none).
Result<nlohmann::json> SyncStatus(const EngineContext& ctx);

// Starts capture on the source now and records a sync that streams from this point without
// copying: for a source and target known to be equal (both frozen, just verified), as cutover
// (the reverse direction) and rollback (the forward one again) need. Replaces whatever capture
// and sync state the migration had. Returns the start position.
// `spec` comes from SyncCaptureSpec, computed ahead (a cutover does so before it freezes).
Result<std::string> StartSyncWithoutCopy(const EngineContext& ctx, const CaptureSpec& spec);

// The capture a sync of `options.tables` uses (name and tables), without touching a server
// beyond introspection.
Result<CaptureSpec> SyncCaptureSpec(const EngineContext& ctx, const SyncOptions& options);

// Removes the capture from the source (slot, publication, triggers), the applied position
// from the target and the sync's state: the next sync starts with a fresh copy.
Status DropSync(const EngineContext& ctx);
// The same for the capture `spec` (SyncCaptureSpec), without reading the schema again.
Status DropSync(const EngineContext& ctx, const CaptureSpec& spec);

}  // namespace peerlock
