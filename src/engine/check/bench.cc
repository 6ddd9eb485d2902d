#include "engine/check/bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/row_batch.h"
#include "plan/inventory.h"
#include "plan/plan_roadmap.h"

namespace peerlock {
namespace {

// Times `runs` executions of `sql` after one warm-up; the rows of the last one.
Result<std::vector<double>> Time(Session& session, const std::string& sql, int runs,
                                 int64_t& rows) {
  PL_ASSIGN(rows, session.RunReadQuery(sql));  // warm-up: caches, plans
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    PL_ASSIGN(rows, session.RunReadQuery(sql));
    samples.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return samples;
}

// A plan without queries: point reads of keys sampled at random from the source, per table (at
// most this many, in load order, each with a primary key).
constexpr size_t kSampledTables = 5;

// The keys of up to `count` rows of `m`'s source table, picked at random.
Result<std::vector<KeyTuple>> SampleKeys(Session& source, const TableMapping& m, int count) {
  PL_ASSIGN(auto rows, source.Read(ReadSpec{.table = m.source_table,
                                            .columns = m.source_key.columns,
                                            .key = m.source_key,
                                            .where = m.filter,
                                            .random_order = true,
                                            .limit = count}));
  std::vector<KeyTuple> keys;
  RowBatch batch(static_cast<int>(m.source_key.columns.size()));
  for (;;) {
    PL_ASSIGN(bool more, rows->Next(batch));
    if (!more) break;
    for (size_t r = 0; r < batch.rows(); ++r) {
      KeyTuple key;
      for (int c = 0; c < batch.columns(); ++c) key.push_back(OwnedValue::From(batch.Get(r, c)));
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

// Each of `keys` read alone (ReadSpec::keys, the reads verify uses) from `table`, after one
// untimed pass; the rows found by the timed pass go to `rows`.
Result<std::vector<double>> TimeLookups(Session& session, const std::string& table,
                                        const std::vector<std::string>& columns, const KeySpec& key,
                                        const std::vector<KeyTuple>& keys, int64_t& rows) {
  std::vector<double> samples;
  for (int pass = 0; pass < 2; ++pass) {
    rows = 0;
    for (const KeyTuple& k : keys) {
      auto start = std::chrono::steady_clock::now();
      PL_ASSIGN(auto found, session.Read(ReadSpec{
                                .table = table, .columns = columns, .key = key, .keys = {k}}));
      RowBatch batch(static_cast<int>(columns.size()));
      for (;;) {
        PL_ASSIGN(bool more, found->Next(batch));
        if (!more) break;
        rows += static_cast<int64_t>(batch.rows());
      }
      if (pass == 1)
        samples.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  return samples;
}

Result<std::vector<QueryBench>> BenchSampledKeys(const EngineContext& ctx, Session& source,
                                                 Session& target, int runs) {
  PL_ASSIGN(Inventory inventory, LoadInventory(ctx, /*count_rows=*/false));
  std::vector<QueryBench> out;
  for (const TableInventory& t : inventory.tables) {
    const TableMapping& m = t.mapping;
    if (out.size() == kSampledTables) break;
    if (m.keyless || m.source_key.row_id || m.source_key.columns.empty()) continue;
    PL_ASSIGN(auto keys, WithContext(SampleKeys(source, m, runs),
                                     "sampling keys of " + m.source_table + " on the source"));
    if (keys.empty()) continue;
    QueryBench b{.name = fmt::format("{} by key ({})", m.source_table, keys.size())};
    std::vector<double> on_source, on_target;
    PL_ASSIGN(on_source, WithContext(TimeLookups(source, m.source_table, m.source_columns,
                                                 m.source_key, keys, b.source_rows),
                                     "reading " + m.source_table + " by key on the source"));
    PL_ASSIGN(on_target, WithContext(TimeLookups(target, m.target_table, m.target_columns,
                                                 m.target_key, keys, b.target_rows),
                                     "reading " + m.target_table + " by key on the target"));
    b.source_p50 = Percentile(on_source, 50);
    b.source_p95 = Percentile(on_source, 95);
    b.target_p50 = Percentile(on_target, 50);
    b.target_p95 = Percentile(on_target, 95);
    out.push_back(std::move(b));
  }
  if (out.empty())
    return Fail(Error(ErrorCode::kInvalidArgument,
                      "the plan lists no queries to benchmark, and no table in scope has a "
                      "primary key and rows to sample")
                    .WithHint("add objectives: {queries: [{name: q, sql: \"SELECT ...\", p95: "
                              "20ms}]} to the plan (docs/plan.md)"));
  return out;
}

}  // namespace

double Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(samples.size())));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

Result<BenchResult> RunBench(const EngineContext& ctx, const BenchOptions& options) {
  const auto& queries = ctx.plan->objectives.queries;
  PL_ASSIGN(auto source, ctx.OpenSource());
  PL_ASSIGN(auto target, ctx.OpenTarget());
  BenchResult result;
  if (queries.empty()) {
    PL_ASSIGN(result.queries, BenchSampledKeys(ctx, *source, *target, options.runs));
    for (QueryBench& b : result.queries) {
      if (b.source_rows == b.target_rows) continue;
      b.met = false;
      b.reason = fmt::format("{} rows on the source, {} on the target (the same keys)",
                             b.source_rows, b.target_rows);
      result.met = false;
    }
    return result;
  }
  for (const QueryTarget& q : queries) {
    QueryBench b{.name = q.name, .p50_target = q.p50_seconds, .p95_target = q.p95_seconds};
    PL_ASSIGN(auto on_source, WithContext(Time(*source, q.sql, options.runs, b.source_rows),
                                          "query " + q.name + " on the source"));
    PL_ASSIGN(auto on_target, WithContext(Time(*target, q.sql, options.runs, b.target_rows),
                                          "query " + q.name + " on the target"));
    b.source_p50 = Percentile(on_source, 50);
    b.source_p95 = Percentile(on_source, 95);
    b.target_p50 = Percentile(on_target, 50);
    b.target_p95 = Percentile(on_target, 95);
    if (b.source_rows != b.target_rows) {
      b.met = false;
      b.reason =
          fmt::format("{} rows on the source, {} on the target", b.source_rows, b.target_rows);
    } else if (b.p95_target && b.target_p95 > *b.p95_target) {
      b.met = false;
      b.reason =
          "p95 " + FormatSeconds(b.target_p95) + " over the target " + FormatSeconds(*b.p95_target);
    } else if (b.p50_target && b.target_p50 > *b.p50_target) {
      b.met = false;
      b.reason =
          "p50 " + FormatSeconds(b.target_p50) + " over the target " + FormatSeconds(*b.p50_target);
    }
    result.met = result.met && b.met;
    result.queries.push_back(std::move(b));
  }
  return result;
}

nlohmann::json BenchResultToJson(const BenchResult& r) {
  nlohmann::json queries = nlohmann::json::array();
  for (const auto& b : r.queries) {
    nlohmann::json q = {{"name", b.name},
                        {"source_rows", b.source_rows},
                        {"target_rows", b.target_rows},
                        {"source_p50", b.source_p50},
                        {"source_p95", b.source_p95},
                        {"target_p50", b.target_p50},
                        {"target_p95", b.target_p95},
                        {"met", b.met},
                        {"reason", b.reason}};
    q["p50_target"] = b.p50_target ? nlohmann::json(*b.p50_target) : nlohmann::json(nullptr);
    q["p95_target"] = b.p95_target ? nlohmann::json(*b.p95_target) : nlohmann::json(nullptr);
    queries.push_back(q);
  }
  return {{"met", r.met}, {"queries", queries}};
}

namespace {

// A latency with its precision: point reads take microseconds, which FormatSeconds rounds to 0.
std::string Latency(double seconds) {
  if (seconds < 0.001) return fmt::format("{:.0f}us", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.2f}ms", seconds * 1e3);
  return fmt::format("{:.2f}s", seconds);
}

}  // namespace

std::string BenchResultToText(const BenchResult& r) {
  std::string out = fmt::format("{:<24} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n", "QUERY",
                                "SRC p50", "SRC p95", "TGT p50", "TGT p95", "TARGET", "RESULT");
  for (const auto& b : r.queries) {
    std::string goal = b.p95_target   ? "p95 " + FormatSeconds(*b.p95_target)
                       : b.p50_target ? "p50 " + FormatSeconds(*b.p50_target)
                                      : "-";
    out += fmt::format("{:<24} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n", b.name,
                       Latency(b.source_p50), Latency(b.source_p95), Latency(b.target_p50),
                       Latency(b.target_p95), goal, b.met ? "met" : "MISSED: " + b.reason);
  }
  out += r.met ? "every query meets its target\n" : "some queries miss their targets\n";
  return out;
}

}  // namespace peerlock
