#include "engine/cutover/baseline_verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "base/log.h"
#include "base/strings.h"
#include "engine/cutover/cutover_sides.h"
#include "engine/verify/verify_step.h"

namespace peerlock {
namespace {

// A catch-up round is worth it while more rows than this wait for the freeze.
constexpr size_t kFewEnough = 1000;
constexpr int kMaxRounds = 3;
constexpr auto kAckWait = std::chrono::seconds(5);

// The keys recorded under `epoch` for `tables`; a table whose list the sync gave up on (too many,
// a truncate, a copy) is moved from `tables` to `in_full`.
Result<KeyFocus> LoadFocus(const EngineContext& ctx, int64_t epoch,
                           std::vector<std::string>& tables, std::vector<std::string>* in_full) {
  PL_ASSIGN(auto touched, ctx.state->LoadTouched(ctx.migration, epoch));
  KeyFocus focus;
  std::vector<std::string> kept;
  for (const std::string& table : tables) {
    const std::vector<std::string>& keys = touched[table];
    if (std::find(keys.begin(), keys.end(), StateStore::kAllKeys) != keys.end()) {
      if (in_full) in_full->push_back(table + " (too many changes to list)");
      continue;
    }
    kept.push_back(table);
    std::vector<KeyTuple>& list = focus[table];
    for (const auto& k : keys) {
      PL_ASSIGN(KeyTuple key, DecodeKeyTuple(k));
      list.push_back(std::move(key));
    }
  }
  tables = std::move(kept);
  return focus;
}

size_t KeyCount(const KeyFocus& focus) {
  size_t n = 0;
  for (const auto& [table, keys] : focus) n += keys.size();
  return n;
}

// Runs a live verify and records the keys of the rows found different under `epoch`. Tables
// with a difference that names no key, or more differences than can be listed, move from
// `tables` to `in_full`. Returns how many rows differed.
Result<int64_t> VerifyLive(const EngineContext& ctx, VerifyOptions options, int64_t epoch,
                           std::vector<std::string>& tables, std::vector<std::string>& in_full,
                           int64_t& rows_compared) {
  options.tables = tables;
  options.max_differences = StateStore::kMaxTouchedKeys;
  options.run_kind = "baseline_verify";
  options.snapshot = false;  // no long transaction on the live source; moving rows recur anyway
  PL_ASSIGN(VerifyResult result, RunVerify(ctx, options));
  rows_compared += result.rows_compared;
  int64_t differing = 0;
  std::vector<std::string> kept;
  for (const auto& v : result.tables) {
    std::string why = v.problem;
    if (why.empty() && v.difference_count > static_cast<int64_t>(v.differences.size()))
      why = fmt::format("{} rows differ", v.difference_count);
    std::vector<std::string> keys;
    for (const auto& d : v.differences) {
      if (d.key_tuple.empty()) why = "no key";
      keys.push_back(EncodeKeyTuple(d.key_tuple));
    }
    if (!why.empty()) {
      in_full.push_back(fmt::format("{} ({})", v.table, why));
      continue;
    }
    PL_TRY(ctx.state->RecordTouched(ctx.migration, epoch, v.table, keys));
    differing += v.difference_count;
    kept.push_back(v.table);
  }
  tables = std::move(kept);
  return differing;
}

// Fresh statistics and visibility information on the target before it takes the traffic: the
// sync's changes since the copy left both stale, and the counts under the freeze read them.
// Not worth stopping a cutover for: a failure is a warning. Returns a note.
std::string RefreshTargetStatistics(const EngineContext& ctx,
                                    const std::vector<std::string>& scope) {
  const auto start = std::chrono::steady_clock::now();
  auto refresh = [&]() -> Result<int> {
    PL_ASSIGN(Inventory inv, LoadInventory(ctx, /*count_rows=*/false));
    PL_TRY(SelectTables(inv, scope));
    PL_ASSIGN(auto target, ctx.OpenTarget());
    int refreshed = 0;
    for (const auto& t : inv.tables) {
      const std::string sql =
          ctx.target_connector->dialect().RefreshStatisticsSql(t.mapping.target_table);
      if (sql.empty()) continue;
      PL_TRY(WithContext(target->Execute(sql),
                         "refreshing the statistics of " + t.mapping.target_table));
      ++refreshed;
    }
    return refreshed;
  };
  auto refreshed = refresh();
  if (!refreshed) {
    PL_LOG_WARN("{} (the final verify may count the target more slowly)",
                refreshed.error().message());
    return "; the target's statistics not refreshed: " + refreshed.error().message();
  }
  if (*refreshed == 0) return "";
  return fmt::format(
      "; statistics of {} target tables refreshed in {:.2f}s", *refreshed,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

Result<Baseline> RunBaselineVerify(const EngineContext& ctx,
                                   const std::vector<std::string>& scope) {
  Baseline baseline;
  PL_ASSIGN(int64_t epoch, WatchAppliedRows(ctx, kAckWait));
  if (epoch == 0) {
    baseline.note = "skipped: the final verify compares every chunk";
    return baseline;
  }
  std::vector<std::string> tables = scope, in_full;
  int64_t rows = 0;
  VerifyOptions full{.workers = ctx.plan->copy.workers, .chunk_rows = ctx.plan->copy.chunk_rows};
  PL_ASSIGN(int64_t differing, VerifyLive(ctx, full, epoch, tables, in_full, rows));
  // Before the catch-up rounds, which then compare what changed meanwhile as well.
  const std::string refreshed = RefreshTargetStatistics(ctx, scope);
  std::vector<std::string> rounds;
  size_t last_compared = 0;
  for (int round = 0; round < kMaxRounds && !tables.empty(); ++round) {
    // Only counted here: the rows listed under `epoch` are final once the next watch is
    // acknowledged (the sync records nothing more under it).
    std::vector<std::string> listed_tables = tables;
    PL_ASSIGN(KeyFocus pending, LoadFocus(ctx, epoch, listed_tables, nullptr));
    const size_t waiting = KeyCount(pending);
    // Done when few are left, or when the writes outpace the rounds (no longer shrinking).
    if (waiting <= kFewEnough || (last_compared > 0 && waiting * 5 > last_compared * 4)) break;
    PL_ASSIGN(int64_t next, WatchAppliedRows(ctx, kAckWait));
    if (next == 0) {
      baseline.note =
          "skipped: the sync stopped acknowledging; the final verify compares "
          "every chunk";
      return baseline;
    }
    PL_ASSIGN(KeyFocus previous, LoadFocus(ctx, epoch, tables, &in_full));
    const auto start = std::chrono::steady_clock::now();
    VerifyOptions again{.workers = ctx.plan->copy.workers,
                        .chunk_rows = ctx.plan->copy.chunk_rows,
                        .counts = false,
                        .focus = std::move(previous)};
    const size_t compared = KeyCount(*again.focus);
    last_compared = compared;
    int64_t ignored_rows = 0;
    PL_ASSIGN(differing, VerifyLive(ctx, std::move(again), next, tables, in_full, ignored_rows));
    rounds.push_back(fmt::format(
        "{} rows changed meanwhile compared in {:.2f}s", compared,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    epoch = next;
  }
  baseline.epoch = epoch;
  baseline.tables = tables;
  baseline.note = fmt::format(
      "{} rows compared while live{}{}; {} differing (in flight) are compared again under the "
      "freeze with the rows applied from now on{}",
      rows, refreshed, rounds.empty() ? "" : "; then " + Join(rounds, "; then "), differing,
      in_full.empty() ? "" : "; in full: " + Join(in_full, ", "));
  return baseline;
}

Result<std::optional<KeyFocus>> FinalVerifyFocus(const EngineContext& ctx, int64_t epoch,
                                                 const std::vector<std::string>& tables) {
  if (epoch == 0) return std::optional<KeyFocus>();
  PL_ASSIGN(TouchWatch watch, ctx.state->LoadTouchWatch(ctx.migration));
  if (watch.epoch != epoch) return std::optional<KeyFocus>();
  std::vector<std::string> listed = tables;
  PL_ASSIGN(KeyFocus focus, LoadFocus(ctx, epoch, listed, nullptr));
  return std::optional<KeyFocus>(std::move(focus));
}

}  // namespace peerlock
