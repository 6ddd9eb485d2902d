#include "control/migration_check.h"

#include <fmt/format.h>

namespace peerlock {

Result<CheckReport> RunCheck(Migration& m) {
  const EngineContext& ctx = m.context();
  PL_ASSIGN(RunRecord run, m.state().StartRun(ctx.migration, "check", ctx.source.Redacted(),
                                              ctx.target.Redacted(), nlohmann::json::object()));
  CheckReport report = RunPreflight(ctx);
  nlohmann::json summary = CheckReportToJson(report);
  if (report.blockers() > 0) {
    summary["error"] = fmt::format("{} blocker(s) remain", report.blockers());
  }
  PL_TRY(m.state().FinishRun(run.id, report.blockers() > 0 ? "failed" : "succeeded", summary));
  PL_TRY(m.state().audit().Append(
      ctx.migration, "check",
      {{"run", run.uid}, {"blockers", report.blockers()}, {"warnings", report.warnings()}}));
  return report;
}

Result<BenchResult> RunBenchmark(Migration& m, const BenchOptions& options) {
  const EngineContext& ctx = m.context();
  PL_ASSIGN(RunRecord run, m.state().StartRun(ctx.migration, "bench", ctx.source.Redacted(),
                                              ctx.target.Redacted(), {{"runs", options.runs}}));
  auto result = RunBench(ctx, options);
  if (!result) {
    (void)m.state().FinishRun(run.id, "failed", {{"error", result.error().message()}});
    return result;  // the bench error is the one to report
  }
  nlohmann::json summary = BenchResultToJson(*result);
  if (!result->met) summary["error"] = "some queries miss their latency targets";
  PL_TRY(m.state().FinishRun(run.id, result->met ? "succeeded" : "failed", summary));
  return result;
}

}  // namespace peerlock
