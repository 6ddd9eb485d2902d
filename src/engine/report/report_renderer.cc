#include "engine/report/report_renderer.h"

#include <exception>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "base/time_text.h"
#include "engine/check/credential_rotation.h"
#include "engine/report/report_layout.h"
#include "engine/report/report_model.h"
#include "engine/report/report_roadmap_model.h"
#include "engine/report/report_writer.h"

namespace peerlock {

Result<std::string> RenderReport(StateStore& store, const std::string& migration,
                                 ReportFormat format) {
  return RenderReport(store, ReportInput{.migration = migration}, format);
}

Result<std::string> RenderReport(StateStore& store, const ReportInput& input, ReportFormat format) {
  // nlohmann::json throws on misuse; the model code is written not to, and this is the
  // boundary that keeps any exception from escaping if it ever does.
  try {
    PL_ASSIGN(auto model, BuildReportModel(store, input.migration));
    AddRoadmapModel(model, input.plan);
    if (input.plan)
      model["credentials"] = CredentialReminders(
          CredentialFactsOf(*input.plan), JsonArray(model, "runs"), input.migration,
          input.plan->objectives.credential_max_age_seconds, NowUtc());
    if (format == ReportFormat::kJson) {
      return model.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    auto writer = format == ReportFormat::kHtml ? NewHtmlReportWriter() : NewMarkdownReportWriter();
    LayOutReport(model, *writer);
    return writer->Finish();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("rendering the report: ") + e.what());
  }
}

Result<ReportFormat> ParseReportFormat(const std::string& name) {
  std::string lower = ToLower(Trim(name));
  if (lower == "md" || lower == "markdown") return ReportFormat::kMarkdown;
  if (lower == "json") return ReportFormat::kJson;
  if (lower == "html") return ReportFormat::kHtml;
  return Fail(ErrorCode::kInvalidArgument, "unknown report format '" + name +
                                               "': valid formats are md, markdown, json and html");
}

}  // namespace peerlock
