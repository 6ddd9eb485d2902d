#include "engine/check/bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

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

}  // namespace

double Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(samples.size())));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

Result<BenchResult> RunBench(const EngineContext& ctx, const BenchOptions& options) {
  const auto& queries = ctx.plan->objectives.queries;
  if (queries.empty()) {
    return Fail(Error(ErrorCode::kInvalidArgument, "the plan lists no queries to benchmark")
                    .WithHint("add objectives: {queries: [{name: q, sql: \"SELECT ...\", p95: "
                              "20ms}]} to the plan (docs/plan.md)"));
  }
  PL_ASSIGN(auto source, ctx.OpenSource());
  PL_ASSIGN(auto target, ctx.OpenTarget());
  BenchResult result;
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

std::string BenchResultToText(const BenchResult& r) {
  std::string out = fmt::format("{:<24} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n", "QUERY",
                                "SRC p50", "SRC p95", "TGT p50", "TGT p95", "TARGET", "RESULT");
  for (const auto& b : r.queries) {
    std::string goal = b.p95_target   ? "p95 " + FormatSeconds(*b.p95_target)
                       : b.p50_target ? "p50 " + FormatSeconds(*b.p50_target)
                                      : "-";
    out += fmt::format("{:<24} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n", b.name,
                       FormatSeconds(b.source_p50), FormatSeconds(b.source_p95),
                       FormatSeconds(b.target_p50), FormatSeconds(b.target_p95), goal,
                       b.met ? "met" : "MISSED: " + b.reason);
  }
  out += r.met ? "every query meets its target\n" : "some queries miss their targets\n";
  return out;
}

}  // namespace peerlock
