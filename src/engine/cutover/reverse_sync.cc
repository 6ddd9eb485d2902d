// `peerlock sync --reverse`: the forward sync's machinery, pointed the other way.
#include "engine/cutover/cutover_sides.h"
#include "engine/cutover/cutover_step.h"

namespace peerlock {
namespace {

Result<std::unique_ptr<Direction>> Reverse(const EngineContext& ctx) {
  PL_ASSIGN(CutoverScope scope, LoadCutoverScope(ctx, ""));
  return ReverseDirection(ctx, scope);
}

}  // namespace

Result<SyncSummary> RunReverseSync(const EngineContext& ctx, const SyncOptions& options) {
  PL_ASSIGN(auto reverse, Reverse(ctx));
  PL_ASSIGN(auto record, ctx.state->LoadSync(reverse->ctx.migration));
  if (!record)
    return Fail(Error(ErrorCode::kBlocked, "there is no reverse sync: it starts at cutover")
                    .WithHint("`peerlock cutover` starts capturing the target; run "
                              "`peerlock sync --reverse` after it"));
  SyncOptions reverse_options = options;
  reverse_options.tables.clear();  // the reverse direction's own names: all it captures
  return RunSync(reverse->ctx, reverse_options);
}

Result<nlohmann::json> ReverseSyncStatus(const EngineContext& ctx) {
  PL_ASSIGN(auto reverse, Reverse(ctx));
  return SyncStatus(reverse->ctx);
}

}  // namespace peerlock
