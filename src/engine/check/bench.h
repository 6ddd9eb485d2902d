#pragma once
// `peerlock bench`: the plan's read queries (objectives.queries) timed on the source and on the
// target, the same number of times each after one untimed warm-up, p50/p95 side by side and
// checked against the plan's latency targets on the target. A plan without queries gets point
// reads instead: per table in scope with a primary key (at most 5), `runs` keys sampled at
// random from the source, each read alone on both sides (composite and text keys alike). Row counts
// of both sides are compared too: a query that returns other rows on the target is not a
// like-for-like timing. Blocks on both databases; not thread-safe (uses one context).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

struct BenchOptions {
  int runs = 20;  // timed executions per query and side
};

struct QueryBench {
  std::string name;
  int64_t source_rows = 0, target_rows = 0;
  double source_p50 = 0, source_p95 = 0, target_p50 = 0, target_p95 = 0;  // seconds
  std::optional<double> p50_target, p95_target;                           // from the plan
  bool met = true;     // the target meets the plan's targets and returns the same rows
  std::string reason;  // why not
};

struct BenchResult {
  std::vector<QueryBench> queries;
  bool met = true;
};

// kInvalidArgument when the plan has no queries and no table to sample; a query that fails is
// an error naming it.
Result<BenchResult> RunBench(const EngineContext& ctx, const BenchOptions& options);

// The p-th percentile (0..100) by nearest rank of `samples` (sorted here); 0 when empty.
double Percentile(std::vector<double> samples, double p);

nlohmann::json BenchResultToJson(const BenchResult& result);
std::string BenchResultToText(const BenchResult& result);

}  // namespace peerlock
