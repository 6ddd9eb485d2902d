#include "engine/sync/sync_step.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>

#include "base/elapsed.h"
#include "base/fault_points.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/time_text.h"
#include "engine/copy/copy_step.h"
#include "engine/sync/change_folder.h"
#include "engine/sync/schema_follow.h"
#include "engine/sync/sync_status.h"

namespace peerlock {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often a following sync looks for a cutover's drain request (and watch), also the longest
// it waits for a change meanwhile: the cutover waits for it inside its freeze.
constexpr milliseconds kDrainPoll{25};
// The longest a live transaction waits in a batch being folded before the batch is applied.
constexpr milliseconds kMaxFoldDelay{25};
// A batch whose first transaction committed longer ago than this is a backlog being caught up:
// it is folded up to batch_changes (bigger batches, fewer round trips), latency being lost
// already. Two seconds, since MariaDB's commit times have a resolution of one.
constexpr int64_t kBacklogAgeUs = 2'000'000;

// Sleeps `seconds`, waking early when the command is cancelled.
void SleepUnlessCancelled(const EngineContext& ctx, double seconds) {
  auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until && !(ctx.cancel && ctx.cancel->Cancelled()))
    std::this_thread::sleep_for(milliseconds(50));
}

int64_t UnixMicrosNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-01T02:00:00Z" (or without Z, or with a space) -> Unix microseconds; nullopt when
// `text` is not such a time.
std::optional<int64_t> ParseStopTime(const std::string& text) {
  std::tm tm{};
  int y, mo, d, h, mi, s;
  char sep;
  if (std::sscanf(text.c_str(), "%d-%d-%d%c%d:%d:%d", &y, &mo, &d, &sep, &h, &mi, &s) != 7 ||
      (sep != 'T' && sep != ' '))
    return std::nullopt;
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000000;
}

// The source tables a sync follows, as its record keeps them (what a cutover moves).
std::vector<std::string> ScopeNames(const CaptureSpec& spec) {
  std::vector<std::string> names;
  for (const auto& t : spec.tables) names.push_back(t.table);
  return names;
}

// Everything a sync of this migration captures, and how each table lands.
struct SyncScope {
  Inventory inventory;
  CaptureSpec spec;
  std::vector<const TableMapping*> mappings;  // parallel to spec.tables
};

Result<SyncScope> BuildScope(const EngineContext& ctx, const SyncOptions& options) {
  SyncScope scope;
  PL_ASSIGN(scope.inventory, LoadInventory(ctx, /*count_rows=*/false));
  PL_TRY(SelectTables(scope.inventory, options.tables));
  const Capabilities source = ctx.source_connector->capabilities();
  const Capabilities target = ctx.target_connector->capabilities();
  if (!source.change_capture)
    return Fail(Error(ErrorCode::kUnsupported, "the " + ctx.source_connector->dialect().name() +
                                                   " connector cannot capture changes")
                    .WithHint("use a cold migration (`peerlock copy`) for this source"));
  if (!target.change_apply)
    return Fail(Error(ErrorCode::kUnsupported, "the " + ctx.target_connector->dialect().name() +
                                                   " connector cannot apply captured changes")
                    .WithHint("use a cold migration (`peerlock copy`) for this target"));
  scope.spec.name = "peerlock_" + ToLower(ctx.migration);
  scope.spec.part_changes = ctx.plan->sync.batch_changes;
  for (const TableInventory& t : scope.inventory.tables) {
    if (t.mapping.keyless || t.mapping.source_key.row_id)
      return Fail(Error(ErrorCode::kUnsupported, "table " + t.table.name +
                                                     " has no primary key: its changes cannot be "
                                                     "applied by key")
                      .WithHint("add a primary key to " + t.table.name +
                                ", or leave it out of the sync with --tables or tables.exclude "
                                "and copy it at cutover"));
    CaptureTable captured{.table = t.table.name,
                          .columns = t.mapping.source_columns,
                          .key = t.mapping.source_key.columns};
    for (const Column& c : t.table.columns)
      if (std::find(captured.columns.begin(), captured.columns.end(), c.name) ==
          captured.columns.end())
        captured.ignored.push_back(c.name);
    scope.spec.tables.push_back(std::move(captured));
    scope.mappings.push_back(&t.mapping);
  }
  if (scope.spec.tables.empty())
    return Fail(Error(ErrorCode::kNotFound, "no table to sync")
                    .WithHint("check the plan's tables.include/exclude and --tables"));
  return scope;
}

// The columns each captured table delivers, as the sync record keeps them ("columns"): a sync
// started again reads the log with these, so a column added while it was not running is met in
// the log and followed there, exactly as by a running sync.
nlohmann::json CapturedColumns(const CaptureSpec& spec) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& t : spec.tables) out[t.table] = t.columns;
  return out;
}

// Drops from `m` the columns not in `keep` (every parallel list, and the key positions).
void KeepColumns(TableMapping& m, const std::vector<std::string>& keep) {
  TableMapping kept = m;
  kept.columns.clear();
  kept.source_columns.clear();
  kept.target_columns.clear();
  kept.compare_types.clear();
  kept.key_positions.clear();
  for (size_t i = 0; i < m.columns.size(); ++i) {
    if (std::find(keep.begin(), keep.end(), m.source_columns[i]) == keep.end()) continue;
    kept.columns.push_back(m.columns[i]);
    kept.source_columns.push_back(m.source_columns[i]);
    kept.target_columns.push_back(m.target_columns[i]);
    kept.compare_types.push_back(m.compare_types[i]);
  }
  for (const auto& k : m.source_key.columns)
    for (size_t i = 0; i < kept.source_columns.size(); ++i)
      if (kept.source_columns[i] == k) kept.key_positions.push_back(static_cast<int>(i));
  m = std::move(kept);
}

// Narrows `scope` to the columns the sync delivered when it last ran (`recorded`, from
// CapturedColumns). A recorded column the source no longer has was renamed or dropped while no
// sync ran: that is not followed.
Status KeepRecordedColumns(SyncScope& scope, const nlohmann::json& recorded) {
  if (!recorded.is_object()) return {};  // a sync started before columns were recorded
  for (size_t i = 0; i < scope.spec.tables.size(); ++i) {
    CaptureTable& t = scope.spec.tables[i];
    if (!recorded.contains(t.table) || !recorded[t.table].is_array()) continue;
    auto keep = recorded[t.table].get<std::vector<std::string>>();
    for (const auto& c : keep)
      if (std::find(t.columns.begin(), t.columns.end(), c) == t.columns.end())
        return Fail(Error(ErrorCode::kUnsupported,
                          fmt::format("table {} lost column {} on the source since the sync last "
                                      "ran (renamed or dropped): a sync follows added columns only",
                                      t.table, c))
                        .WithHint("copy the table again (peerlock sync --drop, then peerlock "
                                  "sync)"));
    if (keep.size() == t.columns.size()) continue;
    // Delivered in the mapping's order (the source's), which the change folder reads rows by.
    for (TableInventory& ti : scope.inventory.tables)
      if (ti.table.name == t.table) {
        KeepColumns(ti.mapping, keep);
        t.columns = ti.mapping.source_columns;
      }
  }
  return {};
}

// The copy of a sync: fresh on the first run, resumed after a crash, skipped once done.
Result<int64_t> CopyForSync(const EngineContext& ctx, const SyncOptions& options,
                            const SyncRecord& record, const std::string& snapshot) {
  CopyOptions copy{.workers = options.workers,
                   .tables = options.tables,
                   .if_exists = options.if_exists,
                   .chunk_rows = ctx.plan->copy.chunk_rows,
                   .batch_rows = ctx.plan->copy.batch_rows,
                   .snapshot = snapshot};
  const std::string copy_since = record.status.value("copy_started_at", std::string());
  PL_ASSIGN(auto last, ctx.state->LatestRun(ctx.migration, "copy"));
  if (last && !copy_since.empty() && last->started_at >= copy_since) {
    if (last->status == "succeeded") return int64_t{0};  // killed after the copy finished
    // The interrupted copy read the capture's snapshot, which died with it. Resuming would mix
    // chunks of two points in time, which the changes replayed later repair row by row but
    // which can break constraints built before they are (a child chunk newer than its parent
    // chunk). Copy again from one snapshot instead, replacing what the first attempt loaded.
    if (options.if_exists == IfExists::kAppend) {
      // The target tables held rows of their own: never drop them; resume chunk by chunk.
      copy.resume = true;
      auto resumed = RunCopy(ctx, copy);
      if (resumed) return resumed->rows;
      if (resumed.error().code() != ErrorCode::kNotFound) return Fail(std::move(resumed.error()));
      copy.resume = false;
      PL_ASSIGN(CopySummary again, RunCopy(ctx, copy));
      return again.rows;
    }
    PL_LOG_WARN("the interrupted copy's snapshot is gone: copying again from one snapshot");
    PL_ASSIGN(auto target, ctx.OpenTarget());
    PL_ASSIGN(Inventory inventory, LoadInventory(ctx, /*count_rows=*/false));
    PL_TRY(SelectTables(inventory, options.tables));
    const Dialect& dialect = ctx.target_connector->dialect();
    for (auto it = inventory.tables.rbegin(); it != inventory.tables.rend(); ++it)
      PL_TRY(target->Execute(dialect.DropTableSql(it->mapping.target_table)));
    copy.if_exists = IfExists::kFail;
  }
  PL_ASSIGN(CopySummary summary, RunCopy(ctx, copy));
  return summary.rows;
}

// Follows the stream and applies it until something stops it. Returns why it stopped.
class Follower {
 public:
  Follower(const EngineContext& ctx, const SyncOptions& options, const SyncScope& scope,
           SyncRecord& record, SyncSummary& summary)
      : ctx_(ctx), options_(options), scope_(scope), record_(record), summary_(summary) {
    stop_time_ = ParseStopTime(ctx.plan->sync.stop_at);
    lag_.Reset();
  }

  // One connected attempt: opens the target, the stream from the target's position, and
  // applies until stopped. Connection errors come back retryable.
  Result<std::string> Run(bool first_attempt) {
    PL_TRY(PollTouchWatch());
    PL_ASSIGN(auto target, ctx_.OpenTarget());
    PL_ASSIGN(auto applied, target->AppliedPosition(scope_.spec.name));
    std::string from = applied.value_or(record_.start_position);
    PL_ASSIGN(auto source, ctx_.OpenSource());
    PL_ASSIGN(auto stream, source->OpenChangeStream(scope_.spec, from));
    PL_LOG_INFO("{} sync from {} (position {})", first_attempt ? "following" : "resumed",
                ctx_.source.Redacted(), from);
    std::vector<int> order;
    for (size_t i = 0; i < scope_.mappings.size(); ++i) order.push_back(static_cast<int>(i));
    ChangeFolder folder(scope_.mappings, order);
    std::string catch_up_to;
    if (options_.until_caught_up) {
      PL_ASSIGN(catch_up_to, source->CurrentPosition());
    }
    position_ = from;
    auto idle_since = Clock::now();
    auto folding_since = Clock::now();  // when the batch being folded got its first transaction

    // The source may forget only what the target holds durably.
    auto confirm_durable = [&](const std::string& applied) -> Status {
      PL_ASSIGN(std::string durable, target->DurablePosition(scope_.spec.name));
      if (durable.empty()) durable = applied;
      if (durable.empty() || durable == confirmed_) return {};
      confirmed_ = durable;
      return stream->Confirm(durable);
    };
    // A source transaction larger than a batch arrives in parts (ChangeTxn::more): each part is
    // applied as it comes into one target transaction left open, which the flush of the part
    // that ends it commits with its position. What the open parts changed is counted then.
    bool inside_txn = false;  // the parts so far of a source transaction are applied, uncommitted
    FoldStats parts_stats;
    std::vector<int64_t> parts_per_table(scope_.mappings.size());
    auto apply_part = [&]() -> Status {
      parts_stats.changes += folder.stats().changes;
      window_changes_ += folder.stats().changes;  // throughput: the work is done as parts go
      for (size_t i = 0; i < parts_per_table.size(); ++i)
        parts_per_table[i] += folder.per_table()[i];
      PL_TRY(RecordTouched(folder));
      PL_ASSIGN(ChangeSet set, folder.Take(scope_.spec.name));
      set.partial = true;
      PL_TRY(target->ApplyChanges(set));
      FaultPoint("sync.part_applied");  // crash tests: parts applied, their transaction open
      return {};
    };
    // Stopping inside a source transaction: the target forgets its parts (a restart reads the
    // whole transaction again from the position before it).
    auto abandon = [&]() -> Status {
      inside_txn = false;
      window_changes_ = std::max<int64_t>(0, window_changes_ - parts_stats.changes);
      parts_stats = FoldStats{};
      std::fill(parts_per_table.begin(), parts_per_table.end(), 0);
      return target->AbandonChanges();
    };
    // Any other way out while parts are open (an error anywhere in the loop) rolls them back
    // too, rather than leaving it to the connection's close.
    struct AbandonOnExit {
      bool& open;
      Session& target;
      ~AbandonOnExit() {
        if (open) (void)target.AbandonChanges();
      }
    } abandon_on_exit{inside_txn, *target};
    auto flush = [&]() -> Status {
      if (folder.empty()) return {};
      FoldStats stats = folder.stats();
      const int64_t folded_changes = stats.changes;  // the parts' are in the throughput already
      std::vector<int64_t> per_table = folder.per_table();
      stats.changes += std::exchange(parts_stats.changes, 0);
      for (size_t i = 0; i < per_table.size(); ++i)
        per_table[i] += std::exchange(parts_per_table[i], 0);
      int64_t oldest = first_commit_us_;
      const auto started = Clock::now();
      PL_TRY(RecordTouched(folder));
      PL_ASSIGN(ChangeSet set, folder.Take(scope_.spec.name));
      PL_TRY(target->ApplyChanges(set));
      FaultPoint("sync.batch_applied");  // crash tests: committed on the target, not confirmed
      const double apply_seconds = SecondsSince(started);
      PL_TRY(stream->Applied(set.position));
      PL_TRY(confirm_durable(set.position));
      if (SecondsSince(started) > 0.05)  // what a lag spike is made of (-v shows it)
        PL_LOG_DEBUG(
            "slow batch: {} changes in {} txns applied in {:.0f} ms, confirmed in {:.0f} ms",
            stats.changes, stats.txns, apply_seconds * 1000,
            (SecondsSince(started) - apply_seconds) * 1000);
      position_ = set.position;
      summary_.txns += stats.txns;
      summary_.changes += stats.changes;
      summary_.position = set.position;
      for (size_t i = 0; i < per_table.size(); ++i) applied_per_table_[i] += per_table[i];
      const int64_t now = UnixMicrosNow();
      if (oldest > 0) lag_.Add((now - oldest) / 1000.0);
      last_commit_us_ = stats.last_commit_time_us;
      first_commit_us_ = 0;
      window_changes_ += folded_changes;
      return {};
    };

    for (;;) {
      if (ctx_.cancel && ctx_.cancel->Cancelled()) {
        PL_TRY(inside_txn ? abandon() : flush());
        return std::string("cancelled");
      }
      PL_TRY(MaybePublish(*stream, folder.empty()));
      PL_TRY(PollDrainRequest());
      if (!drain_to_.empty()) catch_up_to = drain_to_;
      auto next = stream->Next(folder.empty() ? kDrainPoll : milliseconds(0));
      if (!next) {
        // A schema change (or any stop) leaves every transaction before it applied.
        if (inside_txn)
          (void)abandon();  // the stream's error is the one worth reporting
        else if (!next.error().retryable() && next.error().code() != ErrorCode::kConnection)
          PL_TRY(flush());
        return Fail(std::move(next.error()));
      }
      std::optional<ChangeTxn> txn = std::move(*next);
      if (txn) {
        if (!txn->changes.empty()) idle_since = Clock::now();
        if (!txn->more && ReachedStop(*stream, *txn)) {
          PL_TRY(inside_txn ? abandon() : flush());
          return std::string("stop_at");
        }
        // The transactions before a large one commit on their own: a stop inside it then
        // forgets only its parts.
        if (txn->more && !inside_txn) {
          PL_TRY(flush());
          PL_LOG_INFO(
              "a source transaction reached {} changes (sync.batch_changes): applying it in "
              "parts, in one target transaction committed with its last part",
              ctx_.plan->sync.batch_changes);
        }
        if (folder.empty() && !inside_txn) {
          first_commit_us_ = txn->commit_time_us;
          folding_since = Clock::now();
        }
        PL_TRY(folder.Add(*txn));
        inside_txn = txn->more;
        if (txn->more) {
          PL_TRY(apply_part());
          continue;
        }
        // Applied when full and, while live, at the latest kMaxFoldDelay after its first
        // transaction: a source that never pauses (or a stream that blocks until its next
        // event) must not hold back what already arrived.
        const bool live = UnixMicrosNow() - first_commit_us_ < kBacklogAgeUs;
        if (folder.stats().changes >= ctx_.plan->sync.batch_changes ||
            (live && Clock::now() - folding_since >= kMaxFoldDelay))
          PL_TRY(flush());
        continue;
      }
      if (inside_txn) continue;  // between two parts of a transaction: neither idle nor caught up
      PL_TRY(flush());
      PL_TRY(confirm_durable(""));  // idle: commits become durable within the WAL writer's delay
      caught_up_ = false;
      if (!catch_up_to.empty()) {
        PL_ASSIGN(std::string received, stream->Received());
        std::optional<bool> reached = received.empty()
                                          ? std::optional<bool>(SecondsSince(idle_since) > 1.0)
                                          : stream->Reached(received, catch_up_to);
        if (reached.value_or(false)) {
          caught_up_ = true;
          PL_TRY(MaybePublish(*stream, true, /*force=*/true));
          return std::string(drain_to_.empty() ? "caught up" : "drained");
        }
      }
    }
  }

  const std::string& position() const { return position_; }

 private:
  bool ReachedStop(ChangeStream& stream, const ChangeTxn& txn) {
    const std::string& stop_at = ctx_.plan->sync.stop_at;
    if (stop_at.empty()) return false;
    if (auto reached = stream.Reached(txn.position, stop_at)) return *reached;
    return stop_time_ && txn.commit_time_us >= *stop_time_;
  }

  // A cutover asks the sync to drain by writing `drain_to`: looked at every kDrainPoll (a read
  // of the state store), because the source is frozen (and the applications waiting) until the
  // sync has drained.
  Status PollDrainRequest() {
    if (Clock::now() - last_drain_poll_ < kDrainPoll) return {};
    last_drain_poll_ = Clock::now();
    PL_ASSIGN(auto stored, ctx_.state->LoadSync(ctx_.migration));
    if (stored) drain_to_ = stored->drain_to;
    return PollTouchWatch();
  }

  // A cutover watching the rows the sync touches (its final verify compares only those again):
  // acknowledged once this follower records every batch it applies from now on.
  Status PollTouchWatch() {
    PL_ASSIGN(TouchWatch watch, ctx_.state->LoadTouchWatch(ctx_.migration));
    if (watch.epoch == watch_epoch_) return {};
    watch_epoch_ = watch.epoch;
    watched_.assign(scope_.mappings.size(), WatchedTable{});
    if (watch_epoch_ == 0) return {};
    PL_LOG_INFO("recording the rows applied from now on for the cutover's final verify");
    return ctx_.state->AckTouchWatch(ctx_.migration, watch_epoch_);
  }

  // Under a watch, a batch's keys are recorded before the batch is applied: a crash in between
  // leaves keys recorded that were not applied, which costs only a comparison.
  Status RecordTouched(const ChangeFolder& folder) {
    if (watch_epoch_ == 0) return {};
    for (size_t i = 0; i < scope_.mappings.size(); ++i) {
      WatchedTable& w = watched_[i];
      const RowBatch& keys = folder.touched_keys(i);
      if (w.all || (keys.rows() == 0 && !folder.truncated(i))) continue;
      std::vector<std::string> fresh;
      if (folder.truncated(i) || w.keys.size() + keys.rows() > StateStore::kMaxTouchedKeys) {
        // Too many to compare one by one: the final verify compares the whole table.
        w.all = true;
        w.keys.clear();
        fresh.push_back(StateStore::kAllKeys);
      } else {
        for (size_t r = 0; r < keys.rows(); ++r) {
          KeyTuple key;
          for (int c = 0; c < keys.columns(); ++c) key.push_back(OwnedValue::From(keys.Get(r, c)));
          std::string encoded = EncodeKeyTuple(key);
          if (w.keys.insert(encoded).second) fresh.push_back(std::move(encoded));
        }
      }
      PL_TRY(ctx_.state->RecordTouched(ctx_.migration, watch_epoch_,
                                       scope_.mappings[i]->source_table, fresh));
    }
    return {};
  }

  // Publishes the status (every second) and checks the source's retained log and requests.
  Status MaybePublish(ChangeStream& stream, bool idle, bool force = false) {
    if (!force && SecondsSince(last_publish_) < 1.0) return {};
    const double interval = SecondsSince(last_publish_);
    last_publish_ = Clock::now();
    struct SlowPublish {  // the status write shares the loop with the apply (-v shows it)
      Clock::time_point started = Clock::now();
      ~SlowPublish() {
        if (SecondsSince(started) > 0.05)
          PL_LOG_DEBUG("slow status publish: {:.0f} ms", SecondsSince(started) * 1000);
      }
    } slow_publish;
    PL_ASSIGN(CaptureLag lag, stream.Lag());
    const int64_t limit = ctx_.plan->sync.max_retained_bytes;
    if (lag.retained_bytes > limit) {
      return Fail(Error(ErrorCode::kBlocked,
                        fmt::format("the source keeps {} of log for this sync, over "
                                    "sync.max_retained ({}): stopping and releasing it so the "
                                    "source's disk does not fill",
                                    HumanBytes(lag.retained_bytes), HumanBytes(limit)))
                      .WithHint("the sync fell too far behind; `peerlock sync` will copy afresh "
                                "(raise sync.max_retained, or speed up the target)"));
    }
    if (lag.retained_bytes > limit / 10 * 8 && !retention_warned_) {
      retention_warned_ = true;
      PL_LOG_WARN("the source keeps {} of log for this sync (80% of sync.max_retained {})",
                  HumanBytes(lag.retained_bytes), HumanBytes(limit));
    }
    nlohmann::json tables = nlohmann::json::object();
    for (size_t i = 0; i < scope_.spec.tables.size(); ++i)
      tables[scope_.spec.tables[i].table] = {{"changes_applied", applied_per_table_[i]}};
    double lag_seconds = 0;
    if (!(idle && (caught_up_ || lag.bytes_behind == 0)) && last_commit_us_ > 0)
      lag_seconds = std::max(0.0, (UnixMicrosNow() - last_commit_us_) / 1e6);
    record_.status = {{"phase", "streaming"},
                      {"position", position_},
                      {"start_position", record_.start_position},
                      {"txns_applied", summary_.txns},
                      {"changes_applied", summary_.changes},
                      {"changes_per_second", interval > 0 ? window_changes_ / interval : 0},
                      {"lag",
                       {{"seconds", lag_seconds},
                        {"bytes", lag.bytes_behind},
                        {"p50_ms", lag_.Percentile(50)},
                        {"p99_ms", lag_.Percentile(99)},
                        {"samples", lag_.count()}}},
                      {"retained_bytes", lag.retained_bytes},
                      {"max_retained_bytes", limit},
                      {"caught_up", caught_up_},
                      {"tables", tables},
                      {"copy_started_at", record_.status.value("copy_started_at", std::string())},
                      {"scope", ScopeNames(scope_.spec)},
                      {"columns", CapturedColumns(scope_.spec)}};
    window_changes_ = 0;
    record_.phase = "streaming";
    PL_TRY(ctx_.state->SaveSync(record_));
    PL_ASSIGN(auto stored, ctx_.state->LoadSync(ctx_.migration));
    if (stored) drain_to_ = stored->drain_to;
    // After the pid is saved: a cutover that saw no live sync started its watch before this.
    return PollTouchWatch();
  }

  struct WatchedTable {
    bool all = false;
    std::unordered_set<std::string> keys;  // recorded already
  };

  const EngineContext& ctx_;
  const SyncOptions& options_;
  const SyncScope& scope_;
  SyncRecord& record_;
  SyncSummary& summary_;
  std::optional<int64_t> stop_time_;
  std::string position_;
  std::string confirmed_;  // last position confirmed to the source
  std::string drain_to_;
  std::vector<int64_t> applied_per_table_ = std::vector<int64_t>(scope_.spec.tables.size());
  LagWindow lag_;
  int64_t first_commit_us_ = 0, last_commit_us_ = 0, window_changes_ = 0;
  bool caught_up_ = false, retention_warned_ = false;
  Clock::time_point last_publish_ = Clock::now() - std::chrono::seconds(10);
  Clock::time_point last_drain_poll_ = Clock::now();
  int64_t watch_epoch_ = 0;
  std::vector<WatchedTable> watched_;
};

}  // namespace

namespace {

// Rebuilds `scope` around the columns the source gained (schema_follow.h), adding them on the
// target first; the audit log records which.
Status FollowSchemaChange(const EngineContext& ctx, const SyncOptions& options, SyncScope& scope) {
  PL_ASSIGN(SyncScope rebuilt, BuildScope(ctx, options));
  PL_ASSIGN(auto added, FollowAddedColumns(ctx, scope.spec, rebuilt.inventory));
  if (added.empty())
    return Fail(Error(ErrorCode::kUnsupported,
                      "the change stream stopped at a schema change the source's catalog does "
                      "not show any more")
                    .WithHint("run `peerlock sync` again; if it stops here again, copy the "
                              "table again (peerlock sync --drop, then peerlock sync)"));
  PL_TRY(ctx.state->audit().Append(ctx.migration, "sync.schema_followed", {{"columns", added}}));
  PL_LOG_WARN("followed the source's schema: added {} on the target; the sync goes on",
              Join(added, ", "));
  scope = std::move(rebuilt);
  return {};
}

Result<SyncSummary> FollowSource(const EngineContext& ctx, const SyncOptions& asked) {
  auto start = Clock::now();
  SyncSummary summary;
  PL_ASSIGN(auto stored, ctx.state->LoadSync(ctx.migration));
  // A sync resumes with the tables it started with unless told otherwise.
  SyncOptions options = asked;
  if (options.tables.empty() && stored && stored->status.contains("scope") &&
      stored->status["scope"].is_array())
    options.tables = stored->status["scope"].get<std::vector<std::string>>();
  PL_ASSIGN(SyncScope scope, BuildScope(ctx, options));
  if (stored && stored->status.contains("columns"))
    PL_TRY(KeepRecordedColumns(scope, stored->status["columns"]));
  SyncRecord record = stored.value_or(SyncRecord{.migration = ctx.migration});
  record.stream = scope.spec.name;
  if (record.phase == "cut over")
    return Fail(Error(ErrorCode::kBlocked,
                      "this migration is cut over: the target is the live database now")
                    .WithHint("the old database is kept current by `peerlock sync --reverse`; "
                              "`peerlock rollback` goes back"));

  if (!stored || record.phase == "copying") {
    PL_ASSIGN(auto source, ctx.OpenSource());
    PL_ASSIGN(auto capture, source->StartCapture(scope.spec));
    if (!stored) {
      record.start_position = capture->position();
      record.phase = "copying";
      record.status = {{"phase", "copying"},
                       {"copy_started_at", NowUtc()},
                       {"scope", ScopeNames(scope.spec)},
                       {"columns", CapturedColumns(scope.spec)}};
      PL_TRY(ctx.state->SaveSync(record));
      PL_TRY(ctx.state->audit().Append(ctx.migration, "sync.start",
                                       {{"stream", record.stream},
                                        {"position", record.start_position},
                                        {"tables", scope.spec.tables.size()}}));
      PL_LOG_INFO("capture {} starts at {}; copying the snapshot", record.stream,
                  record.start_position);
    } else {
      PL_LOG_INFO("capture {} started at {}; resuming the copy", record.stream,
                  record.start_position);
    }
    // A copy rewrites whole tables: a cutover watching would have to compare them all.
    PL_ASSIGN(TouchWatch watch, ctx.state->LoadTouchWatch(ctx.migration));
    if (watch.epoch != 0)
      for (const auto* m : scope.mappings)
        PL_TRY(ctx.state->RecordTouched(ctx.migration, watch.epoch, m->source_table,
                                        {StateStore::kAllKeys}));
    PL_ASSIGN(summary.copied_rows, CopyForSync(ctx, options, record, capture->snapshot()));
    summary.copied = true;
    PL_TRY(capture->ReleaseSnapshot());
    FaultPoint("sync.copied");  // crash tests: copy done, phase not yet recorded
    record.phase = "streaming";
    PL_TRY(ctx.state->SaveSync(record));
  }

  // Streams until stopped; a broken connection (source restart, network) is retried from the
  // position the target holds, with backoff, for up to ten minutes without progress.
  std::optional<Follower> follower;
  follower.emplace(ctx, options, scope, record, summary);
  auto last_progress = Clock::now();
  double backoff = 0.5;
  std::string last_position;
  for (bool first = true;; first = false) {
    auto stopped = follower->Run(first);
    if (stopped) {
      summary.stopped_because = *stopped;
      break;
    }
    if (stopped.error().native_code() == kGainedColumnsNative) {
      // Columns added on the source: followed when they are plain additions, after which the
      // stream reopens from the target's position with them; otherwise the reason stops it.
      auto followed = FollowSchemaChange(ctx, options, scope);
      if (followed) {
        record.status["columns"] = CapturedColumns(scope.spec);
        PL_TRY(ctx.state->SaveSync(record));
        follower.emplace(ctx, options, scope, record, summary);
        continue;
      }
      stopped = std::unexpected(followed.error());
    }
    const Error& e = stopped.error();
    const bool retry = e.retryable() || e.code() == ErrorCode::kConnection;
    if (!retry || (ctx.cancel && ctx.cancel->Cancelled())) {
      record.phase = e.code() == ErrorCode::kBlocked ? "failed" : record.phase;
      record.status["error"] = e.message();
      (void)ctx.state->SaveSync(record);
      (void)ctx.state->audit().Append(ctx.migration, "sync.failed", {{"error", e.message()}});
      if (e.code() == ErrorCode::kBlocked &&
          e.message().find("max_retained") != std::string::npos) {
        // Release the source's log now rather than let it fill the disk.
        if (auto source = ctx.OpenSource()) (void)(*source)->DropCapture(scope.spec);
        (void)ctx.state->DeleteSync(ctx.migration);
      }
      return Fail(stopped.error());
    }
    if (follower->position() != last_position) {
      last_position = follower->position();
      last_progress = Clock::now();
      backoff = 0.5;
    }
    if (SecondsSince(last_progress) > 600)
      return Fail(
          Error(e).WithHint("the source or target stayed unreachable for ten minutes; "
                            "fix it and run `peerlock sync` again (it resumes)"));
    PL_LOG_WARN("{}; retrying in {:.1f}s", e.message(), backoff);
    SleepUnlessCancelled(ctx, backoff);
    backoff = std::min(backoff * 2, 10.0);
  }
  summary.seconds = SecondsSince(start);
  record.status["phase"] = "stopped";
  record.status["stopped_because"] = summary.stopped_because;
  PL_TRY(ctx.state->SaveSync(record));
  PL_TRY(ctx.state->audit().Append(ctx.migration, "sync.stop",
                                   {{"position", summary.position},
                                    {"changes", summary.changes},
                                    {"because", summary.stopped_because}}));
  return summary;
}

}  // namespace

// Each sync is a run of kind "sync" too: the evidence `peerlock status` and the report read.
Result<SyncSummary> RunSync(const EngineContext& ctx, const SyncOptions& options) {
  PL_ASSIGN(RunRecord run,
            ctx.state->StartRun(
                ctx.migration, "sync", ctx.source.Redacted(), ctx.target.Redacted(),
                {{"tables", options.tables}, {"until_caught_up", options.until_caught_up}}));
  auto summary = FollowSource(ctx, options);
  if (!summary) {
    (void)ctx.state->FinishRun(run.id, "failed", {{"error", summary.error().message()}});
    return summary;
  }
  nlohmann::json detail = {{"copied_rows", summary->copied_rows},
                           {"txns", summary->txns},
                           {"changes", summary->changes},
                           {"position", summary->position},
                           {"stopped_because", summary->stopped_because},
                           {"seconds", summary->seconds}};
  if (auto record = ctx.state->LoadSync(ctx.migration); record && *record)
    detail["lag_seconds"] =
        (*record)->status.value("lag", nlohmann::json::object()).value("seconds", 0.0);
  PL_TRY(ctx.state->FinishRun(run.id, "succeeded", detail));
  return summary;
}

Result<nlohmann::json> SyncStatus(const EngineContext& ctx) {
  PL_ASSIGN(auto record, ctx.state->LoadSync(ctx.migration));
  if (!record) return nlohmann::json::object();
  nlohmann::json out = record->status.is_object() ? record->status : nlohmann::json::object();
  out["stream"] = record->stream;
  out["start_position"] = record->start_position;
  if (!out.contains("phase")) out["phase"] = record->phase;
  out["updated_at"] = record->updated_at;
  out["pid"] = record->pid;
  if (!record->drain_to.empty()) out["drain_to"] = record->drain_to;
  return out;
}

Result<CaptureSpec> SyncCaptureSpec(const EngineContext& ctx, const SyncOptions& options) {
  PL_ASSIGN(SyncScope scope, BuildScope(ctx, options));
  return scope.spec;
}

Result<std::string> StartSyncWithoutCopy(const EngineContext& ctx, const CaptureSpec& spec) {
  PL_ASSIGN(auto source, ctx.OpenSource());
  // A capture left from an earlier stretch holds a position from before the two sides were
  // made equal: start over from now.
  PL_TRY(source->DropCapture(spec));
  PL_ASSIGN(auto capture, source->StartCapture(spec));
  const std::string position = capture->position();
  PL_TRY(capture->ReleaseSnapshot());
  PL_ASSIGN(auto target, ctx.OpenTarget());
  PL_TRY(target->ForgetAppliedPosition(spec.name));
  SyncRecord record{.migration = ctx.migration,
                    .stream = spec.name,
                    .start_position = position,
                    .phase = "streaming",
                    .status = {{"phase", "streaming"},
                               {"start_position", position},
                               {"scope", ScopeNames(spec)},
                               {"columns", CapturedColumns(spec)}}};
  PL_TRY(ctx.state->SaveSync(record, /*with_drain=*/true));
  PL_TRY(ctx.state->audit().Append(ctx.migration, "sync.start",
                                   {{"stream", record.stream},
                                    {"position", position},
                                    {"tables", spec.tables.size()},
                                    {"copy", false}}));
  return position;
}

Status DropSync(const EngineContext& ctx) {
  PL_ASSIGN(auto record, ctx.state->LoadSync(ctx.migration));
  CaptureSpec spec;
  spec.name = record ? record->stream : "peerlock_" + ToLower(ctx.migration);
  PL_ASSIGN(Inventory inventory, LoadInventory(ctx, /*count_rows=*/false));
  for (const TableInventory& t : inventory.tables)
    spec.tables.push_back(CaptureTable{.table = t.table.name,
                                       .columns = t.mapping.source_columns,
                                       .key = t.mapping.source_key.columns});
  return DropSync(ctx, spec);
}

Status DropSync(const EngineContext& ctx, const CaptureSpec& spec) {
  PL_ASSIGN(auto source, ctx.OpenSource());
  PL_TRY(source->DropCapture(spec));
  if (auto target = ctx.OpenTarget()) PL_TRY((*target)->ForgetAppliedPosition(spec.name));
  PL_TRY(ctx.state->DeleteSync(ctx.migration));
  return ctx.state->audit().Append(ctx.migration, "sync.drop", {{"stream", spec.name}});
}

}  // namespace peerlock
