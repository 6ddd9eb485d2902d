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

}  // namespace peerlock
