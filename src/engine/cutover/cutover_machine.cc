// The cutover and rollback state machines (cutover_step.h): the order of the steps, their
// record in the state store, the freeze deadline, and the way back when a step fails.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "base/fault_points.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/cutover/baseline_verify.h"
#include "engine/cutover/cutover_sides.h"
#include "engine/cutover/cutover_step.h"
#include "engine/cutover/hook_runner.h"
#include "engine/sync/sync_step.h"
#include "engine/verify/verify_step.h"
#include "plan/rollback_criteria.h"

namespace peerlock {
namespace {

using std::chrono::milliseconds;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Raises its flag at a deadline, or when `parent` is raised (Ctrl-C): what bounds the drain
// and the verify while the source is frozen.
class DeadlineFlag {
 public:
  DeadlineFlag(int64_t deadline_us, const CancelFlag* parent) {
    watcher_ = std::thread([this, deadline_us, parent] {
      while (!done_.load()) {
        if (NowMicros() >= deadline_us || (parent && parent->Cancelled())) {
          flag_.Cancel();
          return;
        }
        std::this_thread::sleep_for(milliseconds(10));
      }
    });
  }
  ~DeadlineFlag() {
    done_.store(true);
    watcher_.join();
  }
  const CancelFlag* flag() const { return &flag_; }
  bool fired() const { return flag_.Cancelled(); }

 private:
  CancelFlag flag_;
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

// The reverse capture starts before the freeze, so creating it (a replication slot waits for
// running transactions) costs the applications nothing. What it captures until the switch is
// the forward sync's own apply: replayed into the source in commit order, it converges on the
// target's final state, which equals the source's. The baseline verify runs before the freeze
// too: the verify under the freeze then compares counts and only the rows that changed since.
const std::vector<std::string> kCutoverSteps = {
    "preflight", "reverse_capture", "baseline_verify", "freeze_source", "drain", "verify",
    "sequences", "thaw_target",     "switch_traffic",  "smoke_test",    "done"};
const std::vector<std::string> kRollbackSteps = {
    "freeze_target", "drain_reverse", "sequences_back", "restart_forward", "thaw_source",
    "switch_back",   "done"};
// The steps during which the source is frozen and applications wait: bounded by max_freeze.
const std::vector<std::string> kFrozenSteps = {"freeze_source", "drain",       "verify",
                                               "sequences",     "thaw_target", "switch_traffic"};

// First write refused (the freeze began) to traffic on the other side; nullopt until both.
std::optional<double> MeasuredFreeze(const nlohmann::json& detail) {
  const int64_t from = detail.value("freeze_started_us", int64_t{0});
  const int64_t to = detail.value("switched_us", int64_t{0});
  if (from > 0 && to > from) return (to - from) / 1e6;
  return std::nullopt;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

class Machine {
 public:
  Machine(const EngineContext& ctx, const CutoverOptions& options) : ctx_(ctx), options_(options) {}

  Result<CutoverSummary> Cutover() {
    PL_TRY(Load());
    if (rec_ && rec_->status == "running" && rec_->kind == "rollback") return FinishRollback();
    if (rec_ && rec_->status == "aborting") return Abort(rec_->detail.value("reason", ""));
    if (rec_ && rec_->kind == "cutover" && rec_->status == "done")
      return Fail(Error(ErrorCode::kBlocked, "this migration is already cut over")
                      .WithHint("`peerlock rollback` goes back to the source"));
    const bool resuming = rec_ && rec_->status == "running" && rec_->kind == "cutover";
    if (!resuming) {
      PL_TRY(Preflight());
      if (options_.dry_run) {
        summary_.outcome = "dry run";
        return summary_;
      }
      PL_TRY(Begin("cutover"));
    } else {
      PL_LOG_WARN("resuming the cutover interrupted at step {}", rec_->step);
      PL_TRY(Prepare());
    }
    return RunCutoverSteps();
  }

  Result<CutoverSummary> Rollback() {
    PL_TRY(Load());
    if (rec_ && rec_->status == "aborting") return Abort(rec_->detail.value("reason", ""));
    if (rec_ && rec_->status == "running" && rec_->kind == "rollback") return FinishRollback();
    if (!rec_ || rec_->kind != "cutover" || (rec_->status != "done" && rec_->status != "running"))
      return Fail(Error(ErrorCode::kBlocked, "there is no cutover to roll back")
                      .WithHint("`peerlock cutover --status` shows the last one"));
    if (rec_->status == "running" && !Done("switch_traffic") && !SwitchUnderway()) {
      // Traffic never left the source: undoing the cutover is the way back.
      PL_TRY(Prepare());
      return Abort("rollback asked for before traffic was switched");
    }
    PL_TRY(CheckRollbackWindow());
    PL_TRY(Prepare());
    return StartRollback("asked for by `peerlock rollback`", /*automatic=*/false);
  }

 private:
  // The plan's rollback.within: how long after the switch going back is still an option (the
  // old system may have been handed over, or its data declared stale, after it).
  Status CheckRollbackWindow() const {
    const auto within = ctx_.plan->rollback.within_seconds;
    const int64_t switched = rec_->detail.value("switched_us", int64_t{0});
    if (!within || switched == 0 || options_.force) return {};
    const double since = (NowMicros() - switched) / 1e6;
    if (since <= *within) return {};
    return Fail(Error(ErrorCode::kBlocked,
                      fmt::format("the cutover was {} ago, past the plan's rollback.within ({})",
                                  FormatSeconds(since), FormatSeconds(*within)))
                    .WithHint("the plan says going back is no longer an option; "
                              "`peerlock rollback --force` goes back anyway"));
  }

  Status Load() {
    PL_ASSIGN(rec_, ctx_.state->LoadCutover(ctx_.migration));
    summary_.max_downtime_seconds = ctx_.plan->objectives.max_downtime_seconds;
    return {};
  }

  // Scope, reverse direction and traffic: everything the steps act through.
  Status Prepare() {
    const std::string wave = rec_ && rec_->detail.contains("wave")
                                 ? rec_->detail.value("wave", std::string())
                                 : options_.wave;
    PL_ASSIGN(scope_, LoadCutoverScope(ctx_, wave));
    PL_ASSIGN(reverse_, ReverseDirection(ctx_, scope_));
    PL_ASSIGN(traffic_, Traffic::ForPlan(ctx_));
    // Read both schemas now, not while a side is frozen and the applications wait.
    PL_ASSIGN(forward_spec_, SyncCaptureSpec(ctx_, SyncOptions{.tables = scope_.source_tables}));
    PL_ASSIGN(reverse_spec_,
              SyncCaptureSpec(reverse_->ctx, SyncOptions{.tables = scope_.target_tables}));
    return {};
  }

  FreezeOptions Freezing(Side side) const {
    return FreezeOptions{
        .tables = side == Side::kSource ? scope_.source_tables : scope_.target_tables,
        .grace = options_.grace};
  }

  Status Preflight() {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::string> blockers, warnings;
    // Without a sync (or its copy) the scope cannot be read yet: a blocker among the others.
    if (auto prepared = Prepare(); !prepared) blockers.push_back(prepared.error().message());
    PL_ASSIGN(auto sync, ctx_.state->LoadSync(ctx_.migration));
    if (!sync) {
      blockers.push_back("no sync for this migration: run `peerlock sync` first");
    } else if (sync->phase != "streaming") {
      blockers.push_back("the sync is " + sync->phase +
                         ", not streaming: let `peerlock sync` finish its copy first");
    } else {
      const double lag = sync->status.value("lag", nlohmann::json::object()).value("seconds", 0.0);
      const auto max_lag = ctx_.plan->objectives.max_lag_seconds;
      if (max_lag && lag > *max_lag)
        blockers.push_back(
            fmt::format("the sync is {:.1f}s behind, over objectives.max_lag "
                        "({}): wait for it to catch up",
                        lag, FormatSeconds(*max_lag)));
      if (sync->status.value("phase", std::string()) != "streaming")
        warnings.push_back(
            "no `peerlock sync` is running: the drain applies the backlog "
            "itself while the source is frozen");
    }
    for (Side side : {Side::kSource, Side::kTarget}) {
      auto findings = CheckFreezeSide(ctx_, side, Freezing(side));
      if (!findings) {
        blockers.push_back(std::string(SideName(side)) + ": " + findings.error().message());
        continue;
      }
      for (const auto& f : *findings) warnings.push_back(std::string(SideName(side)) + ": " + f);
    }
    if (!scope_.unsynced.empty())
      warnings.push_back("the sync does not follow " + Join(scope_.unsynced, ", ") +
                         ": the cutover does not carry their changes (copy them, or add a "
                         "primary key and sync them)");
    if (!ctx_.target_connector->capabilities().change_capture ||
        !ctx_.source_connector->capabilities().change_apply)
      blockers.push_back("the target cannot be captured back into the source: no rollback");
    if (auto st = traffic_.Check(); !st) blockers.push_back(st.error().message());
    if (!traffic_.has_proxy() && !ctx_.plan->FindHook("switch_traffic"))
      warnings.push_back(
          "neither a proxy (plan proxy:) nor a switch_traffic hook: point the "
          "applications at the target yourself once the cutover is done");
    summary_.kind = "cutover";
    for (const auto& w : warnings) summary_.findings.push_back("warning: " + w);
    for (const auto& b : blockers) summary_.findings.push_back("blocker: " + b);
    summary_.steps.push_back(
        {"preflight",
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
         fmt::format("{} blockers, {} warnings", blockers.size(), warnings.size())});
    if (!blockers.empty() && !options_.dry_run)
      return Fail(Error(ErrorCode::kBlocked, "cutover preflight: " + Join(blockers, "; "))
                      .WithHint("fix each blocker, then run `peerlock cutover` again "
                                "(`--dry-run` checks without freezing anything)"));
    return {};
  }

  Status Begin(const std::string& kind) {
    PL_ASSIGN(RunRecord run, ctx_.state->StartRun(ctx_.migration, kind, ctx_.source.Redacted(),
                                                  ctx_.target.Redacted(), Options()));
    rec_ = CutoverRecord{.migration = ctx_.migration,
                         .kind = kind,
                         .step = kind == "cutover" ? "preflight" : kRollbackSteps.front(),
                         .status = "running",
                         .active = kind == "cutover" ? "source" : "target",
                         .run = run.id};
    rec_->detail["done"] = nlohmann::json::array();
    rec_->detail["timings"] = nlohmann::json::array();
    if (!options_.wave.empty()) rec_->detail["wave"] = options_.wave;
    rec_->detail["max_freeze_ms"] = MaxFreeze().count();
    if (kind == "cutover" && !summary_.steps.empty())
      MarkDone("preflight", summary_.steps[0].seconds, summary_.steps[0].note);
    PL_TRY(Save());
    return ctx_.state->audit().Append(ctx_.migration, kind + ".start", Options());
  }

  nlohmann::json Options() const {
    return {{"max_freeze_ms", MaxFreeze().count()},
            {"grace_ms", options_.grace.count()},
            {"wave", options_.wave}};
  }

  milliseconds MaxFreeze() const {
    if (rec_ && rec_->detail.contains("max_freeze_ms"))
      return milliseconds(rec_->detail["max_freeze_ms"].get<int64_t>());
    if (options_.max_freeze) return *options_.max_freeze;
    if (auto d = ctx_.plan->objectives.max_downtime_seconds)
      return milliseconds(static_cast<int64_t>(*d * 1000));
    return std::chrono::seconds(30);
  }

  Status Save() { return ctx_.state->SaveCutover(*rec_); }

  bool Done(const std::string& step) const {
    if (!rec_) return false;
    for (const auto& d : rec_->detail.value("done", nlohmann::json::array()))
      if (d == step) return true;
    return false;
  }

  void MarkDone(const std::string& step, double seconds, const std::string& note) {
    rec_->detail["done"].push_back(step);
    rec_->detail["timings"].push_back({{"step", step}, {"seconds", seconds}, {"note", note}});
  }

  // Runs `body` as step `name` unless it is recorded as done. Recorded before (so a re-run
  // knows it was under way) and after (so it is not repeated).
  Status Step(const std::string& name, const std::function<Result<std::string>()>& body) {
    if (Done(name)) return {};
    rec_->step = name;
    PL_TRY(Save());
    PL_LOG_INFO("{}: {}", rec_->kind, name);
    auto start = std::chrono::steady_clock::now();
    auto note = body();
    if (!note) return Fail(note.error().Context(rec_->kind + " step " + name));
    FaultPoint("cutover." + name);  // crash tests: the step ran, its completion not recorded
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MarkDone(name, seconds, *note);
    PL_TRY(Save());
    return ctx_.state->audit().Append(
        ctx_.migration, rec_->kind + "." + name,
        {{"seconds", seconds}, {"note", *note}, {"active", rec_->active}});
  }

  std::map<std::string, std::string> HookEnv(const std::string& phase, Side active) const {
    return {{"PEERLOCK_MIGRATION", ctx_.migration},
            {"PEERLOCK_PHASE", phase},
            {"PEERLOCK_ACTIVE", SideName(active)},
            {"PEERLOCK_SOURCE_URL", ctx_.source.Redacted()},
            {"PEERLOCK_TARGET_URL", ctx_.target.Redacted()}};
  }

  Result<std::string> Hook(const std::string& name, const std::string& phase, Side active) {
    PL_ASSIGN(HookOutcome outcome, RunHook(*ctx_.plan, name, HookEnv(phase, active), ctx_.cancel));
    if (!outcome.ran) return std::string();
    return fmt::format("hook {} ran in {:.2f}s", name, outcome.seconds);
  }

  int64_t FreezeDeadline() const {
    return rec_->detail.value("freeze_started_us", int64_t{0}) + MaxFreeze().count() * 1000;
  }

  // The cutover's steps from where the record says it is.
  Result<CutoverSummary> RunCutoverSteps() {
    summary_.kind = "cutover";
    const FreezeOptions source_freeze = Freezing(Side::kSource);
    for (const std::string& step : kCutoverSteps) {
      if (Done(step)) continue;
      if (Contains(kFrozenSteps, step) && step != "freeze_source" && FreezeExpired())
        return Undo(
            fmt::format("the source stayed frozen longer than --max-freeze ({}) "
                        "before traffic was switched",
                        FormatSeconds(MaxFreeze().count() / 1000.0)));
      Status st;
      if (step == "freeze_source") {
        st = Step(step, [&]() -> Result<std::string> {
          // Read before the freeze starts: the frozen source's counts need not wait for it.
          if (!rec_->detail.contains("freeze_started_us") && !pre_freeze_inventory_) {
            auto inventory = LoadInventory(ctx_, /*count_rows=*/false);
            if (inventory) pre_freeze_inventory_ = std::move(*inventory);
          }
          if (!rec_->detail.contains("freeze_started_us")) {
            rec_->detail["freeze_started_us"] = NowMicros();
            PL_TRY(Save());
          }
          // Each part timed: the step's time is inside the freeze the user is promised.
          int64_t t0 = NowMicros();
          PL_TRY(traffic_.Hold());
          int64_t t1 = NowMicros();
          PL_ASSIGN(FreezeReport report, FreezeSide(ctx_, Side::kSource, source_freeze));
          ReadFrozenSourceMeanwhile();
          int64_t t2 = NowMicros();
          PL_TRY(traffic_.Drain());
          int64_t t3 = NowMicros();
          PL_ASSIGN(std::string hook, Hook("freeze_source", "freeze", Side::kSource));
          return fmt::format(
              "{} (proxy held in {:.3f}s, source frozen in {:.3f}s, proxy "
              "drained in {:.3f}s){}",
              report.detail, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6,
              hook.empty() ? "" : "; " + hook);
        });
      } else if (step == "drain") {
        st = Step(step, [&]() -> Result<std::string> {
          DeadlineFlag deadline(FreezeDeadline(), ctx_.cancel);
          EngineContext bounded = ctx_;
          bounded.cancel = deadline.flag();
          ReadFrozenSourceMeanwhile();
          PL_ASSIGN(std::string position, DrainSync(bounded, scope_.source_tables));
          rec_->detail["drained_to"] = position;
          return "drained to " + position;
        });
      } else if (step == "verify") {
        st = Step(step, [&]() -> Result<std::string> {
          DeadlineFlag deadline(FreezeDeadline(), ctx_.cancel);
          EngineContext bounded = ctx_;
          bounded.cancel = deadline.flag();
          VerifyOptions verify{.workers = ctx_.plan->copy.workers,
                               .tables = scope_.source_tables,
                               .chunk_rows = ctx_.plan->copy.chunk_rows};
          PL_ASSIGN(verify.focus, FinalFocus());
          if (frozen_source_.valid()) {
            auto read = frozen_source_.get();
            if (read) {
              frozen_ = std::move(*read);
              verify.inventory = &frozen_->inventory;
              // The source's counts may still be running: each table's is asked for once the
              // target's is in, so that both sides count at once.
              verify.source_count =
                  [counts = frozen_->counts, cancel = bounded.cancel](
                      const std::string& table) -> Result<std::optional<int64_t>> {
                auto it = counts.find(table);
                if (it == counts.end()) return std::optional<int64_t>();
                // The freeze deadline stops the wait, as it stops every other step.
                while (it->second.wait_for(std::chrono::milliseconds(20)) !=
                       std::future_status::ready)
                  if (cancel && cancel->Cancelled())
                    return Fail(ErrorCode::kCancelled,
                                "stopped while the source's " + table +
                                    " was being counted (the freeze deadline passed, or the "
                                    "cutover was interrupted)");
                const Result<int64_t>& rows = it->second.get();
                if (!rows) {
                  PL_LOG_WARN("{}; counting it again", rows.error().message());
                  return std::optional<int64_t>();
                }
                return std::optional<int64_t>(*rows);
              };
            } else {  // read again below, the usual way
              PL_LOG_WARN("{}", read.error().message());
            }
          }
          PL_ASSIGN(VerifyResult result, RunVerify(bounded, verify));
          if (!result.equal) {
            std::vector<std::string> differ;
            for (const auto& t : result.tables)
              if (!t.equal)
                differ.push_back(t.differences.empty()
                                     ? fmt::format("{} ({} rows on the source, {} on the target)",
                                                   t.table, t.source_rows, t.target_rows)
                                     : fmt::format("{} (key {}: {})", t.table,
                                                   t.differences[0].key.dump(),
                                                   t.differences[0].kind));
            return Fail(Error(ErrorCode::kBlocked,
                              "the final verify found differences in " + Join(differ, ", ")));
          }
          if (!verify.focus)
            return fmt::format("{} rows equal in {} tables (every chunk compared)",
                               result.rows_compared, result.tables.size());
          int64_t rows = 0, rechecked = 0;
          const TableVerdict* slowest = nullptr;  // the count the freeze waited for longest
          for (const auto& t : result.tables) {
            rows += t.source_rows;
            rechecked += t.rechecked;
            if (t.focused && (!slowest || t.count_seconds > slowest->count_seconds)) slowest = &t;
          }
          return fmt::format(
              "counts equal in {} tables ({} rows{}); {} rows changed since the baseline "
              "compared again",
              result.tables.size(), rows,
              slowest ? fmt::format(", the longest count {} in {:.2f}s", slowest->table,
                                    slowest->count_seconds)
                      : "",
              rechecked);
        });
      } else if (step == "baseline_verify") {
        st = Step(step, [&] { return BaselineVerify(); });
      } else if (step == "sequences") {
        st = Step(step, [&] {
          return CarrySequences(ctx_, scope_.source_tables,
                                frozen_ && frozen_->sequences ? &*frozen_->sequences : nullptr,
                                frozen_ ? &frozen_->inventory : nullptr);
        });
      } else if (step == "reverse_capture") {
        st = Step(step, [&]() -> Result<std::string> {
          // The first step after the preflight: nothing is frozen or captured yet.
          PL_ASSIGN(std::string hook, Hook("before_cutover", "before_cutover", Side::kSource));
          PL_ASSIGN(std::string position, StartSyncWithoutCopy(reverse_->ctx, reverse_spec_));
          rec_->detail["reverse_start"] = position;
          return "reverse capture starts at " + position + (hook.empty() ? "" : "; " + hook);
        });
      } else if (step == "thaw_target") {
        st = Step(step, [&]() -> Result<std::string> {
          PL_ASSIGN(bool was_frozen,
                    ThawSideIfFrozen(ctx_, Side::kTarget, Freezing(Side::kTarget), [&] {
                      // An abort must leave it as it found it: frozen, since an earlier
                      // rollback.
                      rec_->detail["target_was_frozen"] = true;
                      return Save();
                    }));
          return std::string(was_frozen ? "target writable again" : "target writable");
        });
      } else if (step == "switch_traffic") {
        st = Step(step, [&]() -> Result<std::string> {
          PL_ASSIGN(std::string proxy, traffic_.PointTo(Side::kTarget));
          PL_ASSIGN(std::string hook, Hook("switch_traffic", "switch", Side::kTarget));
          rec_->active = "target";
          rec_->detail["switched_us"] = NowMicros();
          return proxy + (hook.empty() ? "" : "; " + hook);
        });
        if (!st && !Done(step)) return Undo(st.error().message());
      } else if (step == "smoke_test") {
        st = Step(step, [&] { return SmokeTest(); });
        if (!st) {
          if (!options_.auto_rollback) return Fail(st.error());
          return StartRollback(st.error().message(), /*automatic=*/true);
        }
      } else if (step == "done") {
        st = Step(step, [&]() -> Result<std::string> {
          PL_ASSIGN(std::string finished, FinishForward());
          PL_ASSIGN(std::string hook, Hook("after_cutover", "done", Side::kTarget));
          return finished + (hook.empty() ? "" : "; " + hook);
        });
      }
      if (!st) {
        if (Contains(kFrozenSteps, step)) return Undo(st.error().message());
        return Fail(st.error());
      }
    }
    rec_->status = "done";
    PL_TRY(Save());
    return Finish("done", "");
  }

  // Before the freeze: the baseline verify (baseline_verify.h), whose watch and tables the
  // final verify reads.
  Result<std::string> BaselineVerify() {
    rec_->detail.erase("baseline");
    PL_ASSIGN(Baseline baseline, RunBaselineVerify(ctx_, scope_.source_tables));
    if (baseline.epoch != 0)
      rec_->detail["baseline"] = {{"epoch", baseline.epoch}, {"tables", baseline.tables}};
    return baseline.note;
  }

  // Nullopt (compare everything) without a baseline, or when its watch was replaced.
  Result<std::optional<KeyFocus>> FinalFocus() {
    const nlohmann::json baseline = rec_->detail.value("baseline", nlohmann::json::object());
    return FinalVerifyFocus(
        ctx_, baseline.value("epoch", int64_t{0}),
        baseline.value("tables", nlohmann::json::array()).get<std::vector<std::string>>());
  }

  // The source no longer changes once frozen: what the final verify reads of it (schema, row
  // counts) is read from now on, while the target drains, rather than inside the verify.
  void ReadFrozenSourceMeanwhile() {
    const auto focusable = rec_->detail.value("baseline", nlohmann::json::object())
                               .value("tables", nlohmann::json::array())
                               .get<std::vector<std::string>>();
    if (frozen_source_.valid() || focusable.empty()) return;
    frozen_source_ = std::async(std::launch::async, [this, focusable] {
      return ReadFrozenSource(ctx_, focusable, ctx_.plan->copy.workers,
                              pre_freeze_inventory_ ? &*pre_freeze_inventory_ : nullptr);
    });
  }

  bool FreezeExpired() const {
    return rec_->detail.contains("freeze_started_us") && NowMicros() > FreezeDeadline();
  }

  Result<std::string> SmokeTest() {
    std::vector<std::string> notes;
    // rollback.when: "downtime exceeds max_downtime" (plan/rollback_criteria.h), now that the
    // freeze has been measured (first write refused until traffic ran on the target).
    const auto max_downtime = ctx_.plan->objectives.max_downtime_seconds;
    if (max_downtime &&
        RollsBackOn(ctx_.plan->rollback.when, RollbackCriterion::kDowntimeExceedsMax)) {
      if (auto freeze = MeasuredFreeze(rec_->detail); freeze && *freeze > *max_downtime)
        return Fail(Error(ErrorCode::kBlocked,
                          fmt::format("the measured freeze {:.3f}s exceeded "
                                      "objectives.max_downtime {} (rollback.when: downtime "
                                      "exceeds max_downtime)",
                                      *freeze, FormatSeconds(*max_downtime))));
      notes.push_back("freeze within max_downtime");
    }
    PL_ASSIGN(std::string hook, Hook("smoke_test", "smoke", Side::kTarget));
    if (!hook.empty()) notes.push_back(hook);
    if (!ctx_.plan->objectives.queries.empty()) {
      PL_ASSIGN(auto target, ctx_.OpenTarget());
      for (const QueryTarget& q : ctx_.plan->objectives.queries) {
        auto rows = target->RunReadQuery(q.sql);
        if (!rows)
          return Fail(
              Error(ErrorCode::kBlocked,
                    "smoke query " + q.name + " failed on the target: " + rows.error().message()));
      }
      notes.push_back(fmt::format("{} queries ran", ctx_.plan->objectives.queries.size()));
    }
    return notes.empty() ? std::string("no smoke tests in the plan") : Join(notes, "; ");
  }

  // The source's capture is no longer needed (the reverse one keeps the source current); the
  // forward sync is marked so that `peerlock sync` refuses to resume it.
  Result<std::string> FinishForward() {
    PL_ASSIGN(auto source, ctx_.OpenSource());
    PL_TRY(source->DropCapture(forward_spec_));
    PL_TRY(ctx_.state->StopTouchWatch(ctx_.migration));
    PL_ASSIGN(auto sync, ctx_.state->LoadSync(ctx_.migration));
    if (sync) {
      sync->phase = "cut over";
      sync->status["phase"] = "cut over";
      sync->drain_to.clear();
      PL_TRY(ctx_.state->SaveSync(*sync, /*with_drain=*/true));
    }
    return std::string("source capture dropped");
  }

  // Whether switch_traffic started without its completion being recorded: the proxy may have
  // released connections to the target, or the hook moved applications there.
  bool SwitchUnderway() const { return rec_->step == "switch_traffic" && !Done("switch_traffic"); }

  // Undoes the cutover. Once the switch started, applications may have written on the (thawed)
  // target and may still hold connections to it: only a rollback (target frozen, its writes
  // drained into the source) brings those back; an abort would drop them with the reverse
  // capture and leave both sides writable.
  Result<CutoverSummary> Undo(const std::string& reason) {
    if (SwitchUnderway()) return StartRollback(reason, /*automatic=*/true);
    return Abort(reason);
  }

  // Undoes a cutover whose traffic is still on the source.
  Result<CutoverSummary> Abort(const std::string& reason) {
    PL_LOG_ERROR("cutover aborted: {}; undoing it", reason);
    if (!scope_.source_tables.size()) PL_TRY(Prepare());
    rec_->status = "aborting";
    rec_->detail["reason"] = reason;
    PL_TRY(Save());
    PL_TRY(WithContext(traffic_.PointTo(Side::kSource), "pointing traffic back at the source"));
    PL_TRY(WithContext(DropSync(reverse_->ctx, reverse_spec_), "dropping the reverse capture"));
    if (rec_->detail.value("target_was_frozen", false))
      PL_TRY(FreezeSide(ctx_, Side::kTarget, Freezing(Side::kTarget)));
    PL_TRY(ThawSide(ctx_, Side::kSource, Freezing(Side::kSource)));
    PL_TRY(ctx_.state->RequestDrain(ctx_.migration, ""));
    PL_TRY(ctx_.state->StopTouchWatch(ctx_.migration));
    rec_->status = "aborted";
    rec_->active = "source";
    PL_TRY(Save());
    PL_TRY(ctx_.state->audit().Append(ctx_.migration, "cutover.aborted", {{"reason", reason}}));
    summary_.kind = "cutover";
    return Finish("aborted", reason);
  }

  Result<CutoverSummary> StartRollback(const std::string& reason, bool automatic) {
    PL_LOG_WARN("rolling back: {}", reason);
    nlohmann::json cutover = rec_->detail;
    const int64_t cutover_run = rec_->run;
    if (rec_->status == "running")
      (void)ctx_.state->FinishRun(cutover_run, "rolled back", {{"reason", reason}});
    PL_TRY(Begin("rollback"));
    rec_->detail["reason"] = reason;
    rec_->detail["automatic"] = automatic;
    rec_->detail["cutover"] = cutover;
    if (cutover.contains("wave")) rec_->detail["wave"] = cutover["wave"];
    PL_TRY(Save());
    return RunRollbackSteps();
  }

  Result<CutoverSummary> FinishRollback() {
    PL_LOG_WARN("resuming the rollback interrupted at step {}", rec_->step);
    PL_TRY(Prepare());
    return RunRollbackSteps();
  }

  // Goes back: the target frozen and drained into the source, the forward capture restarted
  // from this point, the source thawed and the traffic pointed at it.
  Result<CutoverSummary> RunRollbackSteps() {
    summary_.kind = "rollback";
    PL_TRY(Step("freeze_target", [&]() -> Result<std::string> {
      // Read before the freeze starts: the counters step need not introspect the frozen target.
      if (!rec_->detail.contains("freeze_started_us") && !target_inventory_) {
        auto inventory = LoadInventory(reverse_->ctx, /*count_rows=*/false);
        if (inventory) target_inventory_ = std::move(*inventory);
      }
      if (!rec_->detail.contains("freeze_started_us")) {
        rec_->detail["freeze_started_us"] = NowMicros();
        PL_TRY(Save());
      }
      PL_TRY(traffic_.Hold());
      PL_ASSIGN(FreezeReport report, FreezeSide(ctx_, Side::kTarget, Freezing(Side::kTarget)));
      PL_TRY(traffic_.Drain());
      return fmt::format("{} sessions ended; {}", report.sessions_ended, report.detail);
    }));
    PL_TRY(Step("drain_reverse", [&]() -> Result<std::string> {
      PL_ASSIGN(auto reverse, ctx_.state->LoadSync(reverse_->ctx.migration));
      if (!reverse) return std::string("no reverse sync (already drained)");
      PL_ASSIGN(std::string position, DrainSync(reverse_->ctx, scope_.target_tables));
      return "reverse drained to " + position;
    }));
    PL_TRY(Step("sequences_back", [&] {
      return CarrySequences(reverse_->ctx, scope_.target_tables, nullptr,
                            target_inventory_ ? &*target_inventory_ : nullptr);
    }));
    PL_TRY(Step("restart_forward", [&]() -> Result<std::string> {
      PL_ASSIGN(std::string position, StartSyncWithoutCopy(ctx_, forward_spec_));
      PL_TRY(DropSync(reverse_->ctx, reverse_spec_));
      return "forward capture restarts at " + position;
    }));
    PL_TRY(Step("thaw_source", [&]() -> Result<std::string> {
      PL_TRY(ThawSide(ctx_, Side::kSource, Freezing(Side::kSource)));
      return std::string("source writable");
    }));
    PL_TRY(Step("switch_back", [&]() -> Result<std::string> {
      PL_ASSIGN(std::string proxy, traffic_.PointTo(Side::kSource));
      PL_ASSIGN(std::string hook, Hook("rollback", "rollback", Side::kSource));
      rec_->active = "source";
      rec_->detail["switched_us"] = NowMicros();
      return proxy + (hook.empty() ? "" : "; " + hook);
    }));
    PL_TRY(
        Step("done", [] { return std::string("run `peerlock sync` to follow the source again"); }));
    rec_->status = "done";
    PL_TRY(Save());
    const std::string reason = rec_->detail.value("reason", std::string());
    const bool automatic = rec_->detail.value("automatic", false);
    return Finish(automatic ? "rolled back" : "done", automatic ? reason : "");
  }

  Result<CutoverSummary> Finish(const std::string& outcome, const std::string& reason) {
    summary_.outcome = outcome;
    summary_.reason = reason;
    summary_.active = rec_->active;
    summary_.steps.clear();
    auto collect = [&](const nlohmann::json& detail) {
      for (const auto& t : detail.value("timings", nlohmann::json::array()))
        summary_.steps.push_back(
            {t.value("step", ""), t.value("seconds", 0.0), t.value("note", "")});
    };
    collect(rec_->detail);
    summary_.freeze_seconds = MeasuredFreeze(rec_->detail);
    nlohmann::json result = CutoverSummaryToJson(summary_);
    const bool ok = outcome == "done";
    PL_TRY(ctx_.state->FinishRun(rec_->run, ok ? "succeeded" : outcome, result));
    PL_TRY(ctx_.state->audit().Append(ctx_.migration, rec_->kind + ".finish",
                                      {{"outcome", outcome},
                                       {"reason", reason},
                                       {"freeze_seconds", result.value("freeze_seconds", 0.0)}}));
    return summary_;
  }

  const EngineContext& ctx_;
  const CutoverOptions& options_;
  std::optional<CutoverRecord> rec_;
  CutoverSummary summary_;
  CutoverScope scope_;
  std::unique_ptr<Direction> reverse_;
  Traffic traffic_;
  CaptureSpec forward_spec_, reverse_spec_;
  std::optional<Inventory> pre_freeze_inventory_;  // the source's, read before its freeze
  std::optional<Inventory> target_inventory_;      // the target's, read before the rollback's
  std::optional<FrozenSource> frozen_;             // what the verify step took of frozen_source_
  // ReadFrozenSourceMeanwhile's (last: destroyed first, so it is waited for while everything
  // it reads still exists).
  std::future<Result<FrozenSource>> frozen_source_;
};

}  // namespace

Result<CutoverSummary> RunCutover(const EngineContext& ctx, const CutoverOptions& options) {
  Machine machine(ctx, options);
  return machine.Cutover();
}

Result<CutoverSummary> RunRollback(const EngineContext& ctx, const CutoverOptions& options) {
  Machine machine(ctx, options);
  return machine.Rollback();
}

Result<nlohmann::json> CutoverStatus(const EngineContext& ctx) {
  PL_ASSIGN(auto rec, ctx.state->LoadCutover(ctx.migration));
  if (!rec) return nlohmann::json::object();
  nlohmann::json out = {{"kind", rec->kind},
                        {"step", rec->step},
                        {"status", rec->status},
                        {"active", rec->active},
                        {"updated_at", rec->updated_at}};
  for (const char* key : {"reason", "timings", "drained_to", "reverse_start", "wave"})
    if (rec->detail.contains(key)) out[key] = rec->detail[key];
  if (auto freeze = MeasuredFreeze(rec->detail)) out["freeze_seconds"] = *freeze;
  return out;
}

}  // namespace peerlock
