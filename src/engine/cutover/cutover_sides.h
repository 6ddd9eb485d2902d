#pragma once
// What a cutover does to the two databases and to the traffic between them, one action each:
// freeze and thaw a side, drain a sync, carry sequences, the reverse direction, and the proxy.
// Each action is idempotent (a re-run after a crash repeats it safely). Blocking; one thread.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_context.h"
#include "proxy/proxy_control.h"

namespace peerlock {

enum class Side { kSource, kTarget };
const char* SideName(Side side);  // "source", "target"

// The tables a cutover moves: the wave's, else those the sync follows; source names and the
// target's names for them. `unsynced`: tables of the plan the sync does not follow (their
// changes are not carried: the preflight warns).
struct CutoverScope {
  std::vector<std::string> source_tables;
  std::vector<std::string> target_tables;
  std::vector<std::string> unsynced;
};
Result<CutoverScope> LoadCutoverScope(const EngineContext& ctx, const std::string& wave);

// One sync direction with a context of its own. The reverse direction swaps the databases: it
// captures the (new) target and applies to the (old) source, table for table.
struct Direction {
  Plan plan;
  EngineContext ctx;
};
// Fails (kUnsupported) when the plan transforms tables: a renamed, dropped or masked column
// cannot be carried back.
Result<std::unique_ptr<Direction>> ReverseDirection(const EngineContext& forward,
                                                    const CutoverScope& scope);

// Freeze and thaw one side, through a session of PeerLock's own that may write.
Result<FreezeReport> FreezeSide(const EngineContext& ctx, Side side, const FreezeOptions& options);
Status ThawSide(const EngineContext& ctx, Side side, const FreezeOptions& options);
// Thaws `side` on one session and says whether it was frozen; when it was, `before_thaw` runs
// first (to record it: an abort must leave the side as it found it).
Result<bool> ThawSideIfFrozen(const EngineContext& ctx, Side side, const FreezeOptions& options,
                              const std::function<Status()>& before_thaw);
Result<std::vector<std::string>> CheckFreezeSide(const EngineContext& ctx, Side side,
                                                 const FreezeOptions& options);

// Starts a watch on the rows the sync applies (StateStore::StartTouchWatch) and waits up to
// `wait` for a running `peerlock sync` to acknowledge it; with none running, whoever applies
// next reads the watch first. Returns the watch's epoch, or 0 when a running sync did not answer
// (then nothing it applies is known, and the final verify compares everything).
Result<int64_t> WatchAppliedRows(const EngineContext& ctx, std::chrono::milliseconds wait);

// Brings the sync of `ctx` up to the source's position now (the source is frozen, so that is
// its last): asks a running `peerlock sync` to drain and waits for it, or applies what is left
// in this process. kCancelled when ctx.cancel fires first. Returns the drained position.
Result<std::string> DrainSync(const EngineContext& ctx, const std::vector<std::string>& tables);

// Sets ctx.target's sequences from ctx.source's: those feeding a column of `tables` (source
// names; the cutover's scope), and every sequence feeding no column when the scope is the whole
// plan and the dialects match; across dialects each reaches the target's identity /
// AUTO_INCREMENT through its column. `known` and `inventory` were read from the frozen source
// (nullptr: read them now). Returns a note for the audit log.
Result<std::string> CarrySequences(const EngineContext& ctx, const std::vector<std::string>& tables,
                                   const std::vector<SequenceValue>* known = nullptr,
                                   const Inventory* inventory = nullptr);

// The applications' traffic: PeerLock's proxy when the plan has `proxy:` (every call a no-op
// without one). The hooks are run by the state machine.
class Traffic {
 public:
  static Result<Traffic> ForPlan(const EngineContext& ctx);
  bool has_proxy() const { return control_.has_value(); }
  // Preflight: the proxy answers on its control socket.
  Status Check() const;
  Status Hold() const;
  // Ends in-flight connections (after the proxy's grace); held ones keep waiting.
  Status Drain() const;
  // New and held connections go to `side`; returns what was done.
  Result<std::string> PointTo(Side side) const;

 private:
  std::optional<ProxyControl> control_;
  HostPort source_backend_, target_backend_;
};

}  // namespace peerlock
