#include "engine/cutover/cutover_sides.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <thread>

#include "base/log.h"
#include "engine/copy/sequence_mapping.h"
#include "engine/sync/sync_step.h"
#include "plan/database_address.h"
#include "proxy/proxy_status.h"

namespace peerlock {
namespace {

Result<std::unique_ptr<Session>> OpenWritable(const EngineContext& ctx, Side side) {
  return side == Side::kSource ? ctx.source_connector->Connect(ctx.source, SessionOptions{})
                               : ctx.OpenTarget();
}

// Alive and not a zombie (an exited child its parent has not reaped yet).
bool ProcessAlive(int64_t pid) {
  if (kill(static_cast<pid_t>(pid), 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] != 'Z';
}

// Whether the sync recorded in `record` is being run by a live `peerlock sync` process.
bool SyncProcessRunning(const SyncRecord& record) {
  if (record.pid <= 0 || record.pid == getpid()) return false;
  if (record.status.value("phase", std::string()) != "streaming") return false;
  if (!ProcessAlive(record.pid)) return false;
  // A recycled pid belongs to some other program.
  std::ifstream cmdline("/proc/" + std::to_string(record.pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  return text.find("peerlock") != std::string::npos;
}

}  // namespace

const char* SideName(Side side) { return side == Side::kSource ? "source" : "target"; }

Result<CutoverScope> LoadCutoverScope(const EngineContext& ctx, const std::string& wave) {
  PL_ASSIGN(Inventory inventory, LoadInventory(ctx, /*count_rows=*/false));
  std::vector<std::string> all;
  for (const TableInventory& t : inventory.tables) all.push_back(t.table.name);
  PL_ASSIGN(auto sync, ctx.state->LoadSync(ctx.migration));
  std::vector<std::string> synced;
  if (sync && sync->status.contains("scope") && sync->status["scope"].is_array())
    synced = sync->status["scope"].get<std::vector<std::string>>();
  if (!wave.empty()) {
    const WaveSpec* spec = ctx.plan->FindWave(wave);
    if (!spec)
      return Fail(Error(ErrorCode::kInvalidArgument, "the plan has no wave named " + wave)
                      .WithHint("`peerlock plan` lists the waves"));
    PL_TRY(SelectTables(inventory, spec->tables));
  } else if (!synced.empty()) {
    PL_TRY(SelectTables(inventory, synced));
  }
  CutoverScope scope;
  for (const auto& name : all)
    if (!synced.empty() && std::find(synced.begin(), synced.end(), name) == synced.end())
      scope.unsynced.push_back(name);
  for (const TableInventory& t : inventory.tables) {
    scope.source_tables.push_back(t.table.name);
    scope.target_tables.push_back(t.mapping.target_table);
  }
  return scope;
}

Result<std::unique_ptr<Direction>> ReverseDirection(const EngineContext& forward,
                                                    const CutoverScope& scope) {
  if (!forward.plan->transforms.empty())
    return Fail(Error(ErrorCode::kUnsupported,
                      "the plan transforms tables, which cannot be carried back to the source: "
                      "no reverse capture, so no rollback after cutover")
                    .WithHint("cut over without transforms, or plan the way back as a copy"));
  auto dir = std::make_unique<Direction>();
  dir->plan = *forward.plan;
  std::swap(dir->plan.source, dir->plan.target);
  dir->plan.include = scope.target_tables;
  dir->plan.exclude.clear();
  dir->plan.waves.clear();
  EngineContext& ctx = dir->ctx;
  ctx = forward;
  ctx.plan = &dir->plan;
  std::swap(ctx.source, ctx.target);
  std::swap(ctx.source_connector, ctx.target_connector);
  ctx.migration = StateStore::MigrationKey(ctx.source.Redacted(), ctx.target.Redacted());
  return dir;
}

Result<FreezeReport> FreezeSide(const EngineContext& ctx, Side side, const FreezeOptions& options) {
  PL_ASSIGN(auto session, OpenWritable(ctx, side));
  return WithContext(session->Freeze(options), std::string("freezing the ") + SideName(side));
}

Status ThawSide(const EngineContext& ctx, Side side, const FreezeOptions& options) {
  PL_ASSIGN(auto session, OpenWritable(ctx, side));
  return WithContext(session->Thaw(options), std::string("thawing the ") + SideName(side));
}

Result<bool> ThawSideIfFrozen(const EngineContext& ctx, Side side, const FreezeOptions& options,
                              const std::function<Status()>& before_thaw) {
  PL_ASSIGN(auto session, OpenWritable(ctx, side));
  PL_ASSIGN(bool was_frozen, session->Frozen(options));
  if (was_frozen) PL_TRY(before_thaw());
  PL_TRY(WithContext(session->Thaw(options), std::string("thawing the ") + SideName(side)));
  return was_frozen;
}

Result<std::vector<std::string>> CheckFreezeSide(const EngineContext& ctx, Side side,
                                                 const FreezeOptions& options) {
  const Connector* connector = side == Side::kSource ? ctx.source_connector : ctx.target_connector;
  if (!connector->capabilities().freeze)
    return std::vector<std::string>{"the " + connector->dialect().name() +
                                    " connector cannot freeze the " + SideName(side)};
  PL_ASSIGN(auto session, OpenWritable(ctx, side));
  return session->CheckFreeze(options);
}

Result<int64_t> WatchAppliedRows(const EngineContext& ctx, std::chrono::milliseconds wait) {
  PL_ASSIGN(int64_t epoch, ctx.state->StartTouchWatch(ctx.migration));
  // A sync saves its pid before it reads the watch: if this read misses it, it sees the watch.
  PL_ASSIGN(auto sync, ctx.state->LoadSync(ctx.migration));
  if (!sync || !SyncProcessRunning(*sync)) return epoch;
  const auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until) {
    PL_ASSIGN(TouchWatch watch, ctx.state->LoadTouchWatch(ctx.migration));
    if (watch.acked == epoch) return epoch;
    PL_TRY(ctx.CheckCancelled());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  PL_LOG_WARN(
      "the running sync (pid {}) did not acknowledge the watch on applied rows within "
      "{} ms: the final verify compares every chunk",
      sync->pid, wait.count());
  PL_TRY(ctx.state->StopTouchWatch(ctx.migration));
  return int64_t{0};
}

Result<std::string> DrainSync(const EngineContext& ctx, const std::vector<std::string>& tables) {
  PL_ASSIGN(auto record, ctx.state->LoadSync(ctx.migration));
  if (!record)
    return Fail(Error(ErrorCode::kNotFound, "there is no sync to drain")
                    .WithHint("run `peerlock sync` until it follows the source, then cut over"));
  std::string final_position;
  {
    PL_ASSIGN(auto source, ctx.OpenSource());
    PL_ASSIGN(final_position, source->CurrentPosition());
  }
  if (SyncProcessRunning(*record) && !final_position.empty()) {
    PL_LOG_INFO("asking the running sync (pid {}) to drain to {}", record->pid, final_position);
    PL_TRY(ctx.state->RequestDrain(ctx.migration, final_position));
    for (;;) {
      if (ctx.cancel && ctx.cancel->Cancelled())
        return Fail(Error(ErrorCode::kCancelled, "the sync did not drain in time"));
      PL_ASSIGN(auto now, ctx.state->LoadSync(ctx.migration));
      if (now && now->status.value("phase", std::string()) == "stopped") {
        const std::string because = now->status.value("stopped_because", std::string());
        PL_TRY(ctx.state->RequestDrain(ctx.migration, ""));
        if (because == "drained") return now->status.value("position", final_position);
        break;  // it stopped for another reason: finish here
      }
      if (!now || (now->pid == record->pid && !ProcessAlive(record->pid)))
        break;  // it died: finish here
      // Every poll is time inside the freeze: a few milliseconds, not a synchronisation.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  PL_TRY(ctx.state->RequestDrain(ctx.migration, ""));
  // Two appliers must never run at once (the older one could overwrite newer rows): a sync
  // still running (it could not be given a position) is stopped first.
  PL_ASSIGN(auto latest, ctx.state->LoadSync(ctx.migration));
  if (latest && SyncProcessRunning(*latest)) {
    const int64_t pid = latest->pid;
    PL_LOG_INFO("stopping the running sync (pid {})", pid);
    kill(static_cast<pid_t>(pid), SIGTERM);
    while (ProcessAlive(pid)) {
      if (ctx.cancel && ctx.cancel->Cancelled())
        return Fail(Error(ErrorCode::kCancelled, "the running sync did not stop in time"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  PL_LOG_INFO("applying the rest of the sync here, up to {}",
              final_position.empty() ? "the source's end" : final_position);
  SyncOptions options{.tables = tables, .until_caught_up = true};
  PL_ASSIGN(SyncSummary summary, RunSync(ctx, options));
  if (summary.stopped_because != "caught up")
    return Fail(Error(ErrorCode::kCancelled,
                      "the sync stopped before it drained (" + summary.stopped_because + ")"));
  return summary.position.empty() ? final_position : summary.position;
}

Result<std::string> CarrySequences(const EngineContext& ctx, const std::vector<std::string>& tables,
                                   const std::vector<SequenceValue>* known,
                                   const Inventory* inventory) {
  std::vector<SequenceValue> sequences;
  if (known) {
    sequences = *known;
  } else {
    PL_ASSIGN(auto source, ctx.OpenSource());
    PL_ASSIGN(sequences, source->Sequences());
  }
  std::optional<Inventory> loaded;
  if (!inventory) {
    PL_ASSIGN(loaded, LoadInventory(ctx, /*count_rows=*/false));
    inventory = &*loaded;
  }
  // A wave's cutover leaves the counters of other waves' tables alone: one switched earlier
  // has moved on, on the target. Only a wave's scope is copied to be narrowed.
  const Inventory* scope = inventory;
  std::optional<Inventory> wave;
  if (!tables.empty()) {
    wave = *inventory;
    PL_TRY(SelectTables(*wave, tables));
    scope = &*wave;
  }
  bool same_dialect =
      ctx.source_connector->dialect().name() == ctx.target_connector->dialect().name();
  sequences = SequencesForTarget(*scope, sequences, same_dialect,
                                 /*keep_unowned=*/scope->tables.size() == inventory->tables.size());
  if (sequences.empty()) return std::string("no sequences");
  PL_ASSIGN(auto target, ctx.OpenTarget());
  PL_ASSIGN(SequencesSet set, target->SetSequences(sequences));
  if (!set.missing.empty()) PL_LOG_WARN("{}", MissingSequencesNote(set));
  return SequencesNote(set, sequences.size());
}

Result<Traffic> Traffic::ForPlan(const EngineContext& ctx) {
  Traffic traffic;
  const ProxySettings& proxy = ctx.plan->proxy;
  if (!proxy.listen) return traffic;
  traffic.control_.emplace(proxy.control.empty() ? DefaultControlSocketPath(ctx.state->dir())
                                                 : proxy.control);
  if (proxy.backend) {
    traffic.source_backend_ = *proxy.backend;
  } else {
    PL_ASSIGN(traffic.source_backend_, DatabaseAddress(ctx.plan->source, "source"));
  }
  PL_ASSIGN(traffic.target_backend_, DatabaseAddress(ctx.plan->target, "target"));
  return traffic;
}

Status Traffic::Check() const {
  if (!control_) return {};
  auto status = control_->Status();
  if (!status)
    return Fail(Error(status.error())
                    .WithHint("start it with `peerlock proxy --plan FILE` (the plan has proxy:), "
                              "then cut over"));
  return {};
}

Status Traffic::Hold() const {
  if (!control_) return {};
  PL_TRY(control_->Hold());
  return {};
}

Status Traffic::Drain() const {
  if (!control_) return {};
  PL_TRY(control_->Drain());
  return {};
}

Result<std::string> Traffic::PointTo(Side side) const {
  if (!control_) return std::string("no proxy");
  const HostPort& backend = side == Side::kSource ? source_backend_ : target_backend_;
  PL_TRY(control_->Switch(backend));
  PL_TRY(control_->Release());
  return "proxy forwards to " + backend.ToString();
}

}  // namespace peerlock
