#include "engine/verify/verify_step.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "base/parallel_work.h"
#include "base/strings.h"
#include "engine/progress.h"
#include "engine/row_pipeline.h"
#include "engine/verify/row_differ.h"

namespace peerlock {
namespace {

struct WorkItem {
  enum class Kind { kChunk, kCount, kKeys };
  size_t table;  // index into the verdicts
  const TableMapping* mapping;
  KeyRange range;
  Kind kind = Kind::kChunk;
  std::vector<KeyTuple> keys;                                         // kKeys
  std::function<Result<std::optional<int64_t>>()> later_source_rows;  // VerifyOptions::source_count
};

constexpr size_t kKeysPerItem = 500;  // rows looked up per statement in a focused verify

// Whether a key list finds its rows on both sides whatever produced the values (a capture's
// decoding, a read): integers and text written as literals mean the same to every dialect. A
// key of another type (a timestamp, a decimal) in a spelling the server reads differently would
// find no row on either side and pass unseen, so such tables are compared chunk by chunk.
bool KeysListable(const TableMapping& m) {
  if (m.keyless || m.key_positions.empty()) return false;
  for (int pos : m.key_positions) {
    const TypeKind kind = m.columns[pos].compare_type.kind;
    if (kind != TypeKind::kInt && kind != TypeKind::kText) return false;
  }
  return true;
}

// Compares one work item: digests of both sides, then rows where they differ. With
// `in_database`, digests are first computed inside both servers (same dialect, values
// untouched by the plan): no rows cross the network unless they differ.
Status CompareItem(const WorkItem& item, Session& source, Session& target, size_t batch_rows,
                   bool in_database, Digest& source_digest, Digest& target_digest,
                   std::vector<Difference>& diffs) {
  const TableMapping& m = *item.mapping;
  if (item.kind == WorkItem::Kind::kCount) {
    auto count_target = [&] {
      return target.CountRows(MakeReadSpec(m, Side::kTarget, {}, batch_rows));
    };
    if (item.later_source_rows) {
      PL_ASSIGN(target_digest.rows, count_target());
      PL_ASSIGN(std::optional<int64_t> rows, item.later_source_rows());
      if (rows) {
        source_digest.rows = *rows;
        return {};
      }
      PL_ASSIGN(source_digest.rows,
                source.CountRows(MakeReadSpec(m, Side::kSource, {}, batch_rows)));
      return {};
    }
    // Both servers count at once.
    auto target_future = std::async(std::launch::async, count_target);
    auto source_count = source.CountRows(MakeReadSpec(m, Side::kSource, {}, batch_rows));
    auto target_count = target_future.get();
    if (!source_count) return Fail(std::move(source_count.error()));
    if (!target_count) return Fail(std::move(target_count.error()));
    source_digest.rows = *source_count;
    target_digest.rows = *target_count;
    return {};
  }
  auto spec = [&](Side side) {
    ReadSpec spec = MakeReadSpec(m, side, item.range, batch_rows);
    spec.keys = item.keys;
    return spec;
  };
  auto diff = [&](RowDiffer& differ) -> Status {
    if (item.kind == WorkItem::Kind::kKeys) return differ.DiffKeys(item.keys, diffs);
    return m.keyless ? differ.DiffKeyless(diffs) : differ.DiffRange(item.range, diffs);
  };
  if (in_database && !m.changes_values) {
    // Both servers work at once: the target's digest runs beside the source's.
    auto target_future =
        std::async(std::launch::async, [&] { return target.ServerDigest(spec(Side::kTarget)); });
    auto source_result = source.ServerDigest(spec(Side::kSource));
    auto target_result = target_future.get();
    if (!source_result) return Fail(std::move(source_result.error()));
    if (!target_result) return Fail(std::move(target_result.error()));
    if (source_result->has_value() && target_result->has_value()) {
      source_digest = **source_result;
      target_digest = **target_result;
      if (source_digest == target_digest) return {};
      // Narrow down with digests inside the servers too; the rows found are then compared by
      // their canonical values, so a difference only in native form is not reported.
      RowDiffer differ(source, target, m, batch_rows, /*in_database=*/true);
      return diff(differ);
    }
  }
  PL_ASSIGN(source_digest, ReadAndHash(source, spec(Side::kSource), m, Side::kSource, nullptr));
  PL_ASSIGN(target_digest, ReadAndHash(target, spec(Side::kTarget), m, Side::kTarget, nullptr));
  if (source_digest == target_digest) return {};
  RowDiffer differ(source, target, m, batch_rows);
  return diff(differ);
}

}  // namespace

Result<VerifyResult> RunVerify(const EngineContext& ctx, const VerifyOptions& options) {
  auto start = std::chrono::steady_clock::now();
  Inventory inv;
  if (options.inventory) {
    inv = *options.inventory;
  } else {
    PL_ASSIGN(inv, LoadInventory(ctx, /*count_rows=*/false));
  }
  PL_TRY(SelectTables(inv, options.tables));
  PL_ASSIGN(RunRecord run, ctx.state->StartRun(ctx.migration, options.run_kind,
                                               ctx.source.Redacted(), ctx.target.Redacted(),
                                               {{"sample", options.sample},
                                                {"tables", options.tables},
                                                {"focused", options.focus.has_value()}}));
  const std::string event = options.run_kind;  // audit events: verify.start, ...
  PL_TRY(ctx.state->audit().Append(ctx.migration, event + ".start", {{"run", run.uid}}));
  VerifyResult result;
  const size_t batch_rows = 2048;

  auto body = [&]() -> Status {
    PL_ASSIGN(auto source, ctx.OpenSource());
    PL_ASSIGN(auto target, ctx.OpenTarget());
    // Same-dialect pairs compare digests computed inside both servers first, over larger
    // chunks (no rows travel unless a chunk differs, and then it is bisected).
    bool in_database =
        ctx.source_connector->dialect().name() == ctx.target_connector->dialect().name() &&
        ctx.source_connector->capabilities().checksum_pushdown;
    int64_t chunk_rows =
        in_database ? std::max<int64_t>(options.chunk_rows, 1000000) : options.chunk_rows;
    std::vector<WorkItem> items;
    for (const auto& t : inv.tables) {
      TableVerdict verdict{.table = t.table.name, .target_table = t.mapping.target_table};
      PL_ASSIGN(bool exists, target->TableExists(t.mapping.target_table));
      if (!exists) {
        verdict.equal = false;
        verdict.problem = "target table " + t.mapping.target_table + " does not exist";
        PL_ASSIGN(verdict.source_rows,
                  source->CountRows(MakeReadSpec(t.mapping, Side::kSource, {}, batch_rows)));
        result.tables.push_back(std::move(verdict));
        continue;
      }
      size_t index = result.tables.size();
      result.tables.push_back(std::move(verdict));
      if (t.mapping.keyless) {
        items.push_back(WorkItem{index, &t.mapping, {}});
        continue;
      }
      if (options.focus && KeysListable(t.mapping)) {
        if (auto focus = options.focus->find(t.table.name); focus != options.focus->end()) {
          result.tables[index].focused = true;
          if (options.counts) {
            WorkItem count{index, &t.mapping, {}, WorkItem::Kind::kCount};
            if (options.source_count)
              count.later_source_rows = [&options, name = t.table.name] {
                return options.source_count(name);
              };
            items.push_back(std::move(count));
          }
          const auto& keys = focus->second;
          for (size_t k = 0; k < keys.size(); k += kKeysPerItem)
            items.push_back(WorkItem{
                index,
                &t.mapping,
                {},
                WorkItem::Kind::kKeys,
                std::vector<KeyTuple>(keys.begin() + k,
                                      keys.begin() + std::min(keys.size(), k + kKeysPerItem))});
          continue;
        }
      }
      PL_ASSIGN(
          auto points,
          source->SplitPoints(MakeReadSpec(t.mapping, Side::kSource, {}, batch_rows), chunk_rows));
      for (auto& range : RangesFromPoints(points))
        items.push_back(WorkItem{index, &t.mapping, std::move(range)});
    }

    Progress progress("verify", inv.total_rows(), ctx.terminal);
    std::mutex mu;
    std::atomic<size_t> next{0};
    std::optional<Error> failure;
    auto worker = [&](int number) {
      auto run_items = [&]() -> Status {
        // The first worker uses the sessions opened above: under a cutover's freeze every
        // connection opened is time the applications wait.
        std::unique_ptr<Session> own_src, own_tgt;
        Session* src = source.get();
        Session* tgt = target.get();
        if (number > 0) {
          PL_ASSIGN(own_src, ctx.OpenSource());
          PL_ASSIGN(own_tgt, ctx.OpenTarget());
          src = own_src.get();
          tgt = own_tgt.get();
        }
        if (options.snapshot) {
          PL_TRY(src->BeginSnapshot());
          PL_TRY(tgt->BeginSnapshot());
        }
        for (size_t i; (i = next++) < items.size();) {
          PL_TRY(ctx.CheckCancelled());
          {
            std::lock_guard lock(mu);
            if (failure) return {};
          }
          Digest s, t;
          std::vector<Difference> diffs;
          const auto item_start = std::chrono::steady_clock::now();
          PL_TRY(
              WithContext(CompareItem(items[i], *src, *tgt, batch_rows, in_database, s, t, diffs),
                          "verifying " + items[i].mapping->source_table));
          const double item_seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - item_start).count();
          std::lock_guard lock(mu);
          TableVerdict& v = result.tables[items[i].table];
          if (items[i].kind == WorkItem::Kind::kCount) v.count_seconds = item_seconds;
          if (items[i].kind == WorkItem::Kind::kKeys) {
            v.rechecked += s.rows;  // counted in full by the table's count item
            result.rows_compared += s.rows;
          } else {
            progress.Add(s.rows);
            v.source_rows += s.rows;
            v.target_rows += t.rows;
            if (items[i].kind == WorkItem::Kind::kChunk) result.rows_compared += s.rows;
          }
          v.difference_count += static_cast<int64_t>(diffs.size());
          for (auto& d : diffs)
            if (v.differences.size() < options.max_differences)
              v.differences.push_back(std::move(d));
        }
        if (!options.snapshot) return {};
        PL_TRY(src->EndSnapshot());
        return tgt->EndSnapshot();
      };
      if (auto st = run_items(); !st) {
        std::lock_guard lock(mu);
        if (!failure) failure = st.error();
      }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < std::max(1, options.workers); ++i) threads.emplace_back(worker, i);
    for (auto& th : threads) th.join();
    progress.Finish();
    if (failure) return Fail(std::move(*failure));

    if (options.sample > 0) {
      for (auto& v : result.tables) {
        const TableInventory* t = inv.Find(v.table);
        if (!v.problem.empty() || t->mapping.keyless) continue;
        std::set<std::string> known;
        for (const auto& d : v.differences) known.insert(d.kind + d.key.dump());
        std::vector<Difference> diffs;
        RowDiffer differ(*source, *target, t->mapping, batch_rows);
        PL_TRY(differ.Sample(options.sample, diffs, v.sampled));
        for (auto& d : diffs) {
          if (known.count(d.kind + d.key.dump())) continue;
          ++v.difference_count;
          if (v.differences.size() < options.max_differences) v.differences.push_back(std::move(d));
        }
      }
    }
    for (auto& v : result.tables) {
      if (v.difference_count > 0 || v.source_rows != v.target_rows) v.equal = false;
      result.equal = result.equal && v.equal;
    }
    return {};
  };

  Status status = body();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status) {
    std::string outcome = status.error().code() == ErrorCode::kCancelled ? "interrupted" : "failed";
    (void)ctx.state->FinishRun(run.id, outcome, {{"error", status.error().message()}});
    (void)ctx.state->audit().Append(ctx.migration, event + "." + outcome,  // first error wins
                                    {{"run", run.uid}, {"error", status.error().message()}});
    return Fail(status.error());
  }
  nlohmann::json json = VerifyResultToJson(result);
  for (const auto& t : json["tables"]) PL_TRY(ctx.state->SaveTableResult(run.id, t["table"], t));
  int64_t differences = 0;
  for (const auto& v : result.tables) differences += v.difference_count;
  PL_TRY(ctx.state->FinishRun(run.id, result.equal ? "succeeded" : "differences",
                              {{"equal", result.equal},
                               {"tables", result.tables.size()},
                               {"differences", differences},
                               {"rows_compared", result.rows_compared},
                               {"seconds", result.seconds}}));
  PL_TRY(ctx.state->audit().Append(
      ctx.migration, event + ".finish",
      {{"run", run.uid}, {"equal", result.equal}, {"differences", differences}}));
  return result;
}

namespace {

// Counts each table of `specs` on the source, `workers` at a time, fulfilling each table's
// promise as soon as it is counted; every promise is fulfilled, with an error when its table
// could not be counted (a connection refused: the verify then counts it itself).
void CountOnSource(const EngineContext& ctx,
                   const std::vector<std::pair<std::string, ReadSpec>>& specs, int workers,
                   std::vector<std::promise<Result<int64_t>>>& promises) {
  std::vector<std::atomic<bool>> fulfilled(specs.size());
  Status counted = ForEachOnOwnState(
      specs.size(), static_cast<size_t>(std::max(1, workers)), [&] { return ctx.OpenSource(); },
      [&](std::unique_ptr<Session>& source, size_t i) -> Status {
        promises[i].set_value(WithContext(source->CountRows(specs[i].second),
                                          "counting " + specs[i].first + " on the source"));
        fulfilled[i] = true;
        return {};
      });
  for (size_t i = 0; i < specs.size(); ++i)
    if (!fulfilled[i])
      promises[i].set_value(
          Fail(counted ? Error(ErrorCode::kInternal, "not counted") : counted.error()));
}

}  // namespace

Result<FrozenSource> ReadFrozenSource(const EngineContext& ctx,
                                      const std::vector<std::string>& counted, int workers,
                                      const Inventory* known) {
  FrozenSource frozen;
  std::optional<Inventory> loaded;
  if (!known) {
    PL_ASSIGN(loaded, LoadInventory(ctx, /*count_rows=*/false));
    known = &*loaded;
  }
  std::vector<std::pair<std::string, ReadSpec>> specs;
  for (const auto& name : counted) {
    const TableInventory* t = known->Find(name);
    if (!t) return Fail(ErrorCode::kNotFound, "table " + name + " is no longer in scope");
    specs.emplace_back(name, MakeReadSpec(t->mapping, Side::kSource, {}, 2048));
  }
  auto promises = std::make_shared<std::vector<std::promise<Result<int64_t>>>>(specs.size());
  for (size_t i = 0; i < specs.size(); ++i)
    frozen.counts[specs[i].first] = (*promises)[i].get_future().share();
  // The specs are values: the counting outlives this call and the inventories.
  frozen.counting =
      std::async(std::launch::async, [ctx, specs = std::move(specs), workers, promises] {
        CountOnSource(ctx, specs, workers, *promises);
      }).share();
  // Meanwhile, the schema as it is now (the verify's) and the sequences' final values.
  if (loaded) {
    frozen.inventory = std::move(*loaded);
  } else {
    PL_ASSIGN(frozen.inventory, LoadInventory(ctx, /*count_rows=*/false));
  }
  PL_ASSIGN(auto source, ctx.OpenSource());
  PL_ASSIGN(frozen.sequences, source->Sequences());
  return frozen;
}

nlohmann::json VerifyResultToJson(const VerifyResult& result) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& v : result.tables) {
    nlohmann::json diffs = nlohmann::json::array();
    for (const auto& d : v.differences)
      diffs.push_back({{"kind", d.kind}, {"key", d.key}, {"columns", d.columns}});
    nlohmann::json t = {{"table", v.table},
                        {"target_table", v.target_table},
                        {"source_rows", v.source_rows},
                        {"target_rows", v.target_rows},
                        {"equal", v.equal},
                        {"difference_count", v.difference_count},
                        {"differences", diffs}};
    if (!v.problem.empty()) t["problem"] = v.problem;
    if (v.sampled) t["sampled"] = v.sampled;
    if (v.focused) {
      t["rechecked"] = v.rechecked;
      t["count_seconds"] = v.count_seconds;
    }
    tables.push_back(std::move(t));
  }
  return {{"equal", result.equal},
          {"tables", tables},
          {"rows_compared", result.rows_compared},
          {"seconds", result.seconds}};
}

std::string VerifyResultToText(const VerifyResult& result) {
  std::string out =
      fmt::format("{:<28} {:>10} {:>10}  {}\n", "TABLE", "SOURCE", "TARGET", "RESULT");
  for (const auto& v : result.tables) {
    out += fmt::format("{:<28} {:>10} {:>10}  {}\n", v.table, v.source_rows, v.target_rows,
                       v.equal              ? "equal"
                       : !v.problem.empty() ? v.problem
                                            : fmt::format("{} difference(s)", v.difference_count));
    for (const auto& d : v.differences)
      out += fmt::format("    {:<8} {}{}\n", d.kind, d.key.dump(),
                         d.columns.empty() ? "" : " columns: " + Join(d.columns, ", "));
    if (v.difference_count > static_cast<int64_t>(v.differences.size()))
      out += fmt::format("    ... and {} more\n", v.difference_count - v.differences.size());
  }
  out += fmt::format("\n{}: {} rows compared in {}\n", result.equal ? "EQUAL" : "DIFFERENT",
                     result.rows_compared, HumanDuration(result.seconds));
  return out;
}

}  // namespace peerlock
