// How a cutover or rollback reads to a person (the CLI) and to a program (--json, the report).
#include <fmt/format.h>

#include "engine/cutover/cutover_step.h"
#include "plan/plan_roadmap.h"

namespace peerlock {

nlohmann::json CutoverSummaryToJson(const CutoverSummary& s) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : s.steps)
    steps.push_back({{"step", step.name}, {"seconds", step.seconds}, {"note", step.note}});
  nlohmann::json out = {{"kind", s.kind},
                        {"outcome", s.outcome},
                        {"active", s.active},
                        {"steps", steps},
                        {"findings", s.findings}};
  if (!s.reason.empty()) out["reason"] = s.reason;
  if (s.freeze_seconds) out["freeze_seconds"] = *s.freeze_seconds;
  if (s.max_downtime_seconds) out["max_downtime_seconds"] = *s.max_downtime_seconds;
  return out;
}

std::string CutoverSummaryText(const CutoverSummary& s) {
  std::string out;
  for (const auto& f : s.findings) out += f + "\n";
  for (const auto& step : s.steps)
    out += fmt::format("  {:<16} {:>8.3f}s  {}\n", step.name, step.seconds, step.note);
  out += fmt::format("{} {}", s.kind, s.outcome);
  if (!s.reason.empty()) out += ": " + s.reason;
  out += "\n";
  if (s.freeze_seconds) {
    out += fmt::format(
        "measured freeze: {:.3f}s (first write refused until traffic ran on the "
        "{})",
        *s.freeze_seconds, s.active);
    if (s.max_downtime_seconds)
      out += fmt::format("; objectives.max_downtime {}: {}", FormatSeconds(*s.max_downtime_seconds),
                         *s.freeze_seconds <= *s.max_downtime_seconds ? "met" : "NOT met");
    out += "\n";
  }
  if (!s.active.empty()) out += "traffic goes to the " + s.active + "\n";
  // ROADMAP phase 8: the migration's credentials have done their job.
  if (s.kind == "cutover" && s.outcome == "done" && s.active == "target")
    out += "next: rotate the migration's database credentials (`peerlock status` lists them)\n";
  return out;
}

}  // namespace peerlock
