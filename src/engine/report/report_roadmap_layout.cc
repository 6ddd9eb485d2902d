#include "engine/report/report_roadmap_layout.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "engine/report/report_charts.h"
#include "engine/report/report_model.h"
#include "engine/report/report_text.h"

namespace peerlock {
namespace {

using nlohmann::json;
using Row = ReportWriter::Row;

std::string SecondsText(const json& object, const char* key) {
  auto seconds = JsonNumber(object, key);
  return seconds ? fmt::format("{:.3g}s", *seconds) : "not set";
}

std::string Strings(const json& array, const char* separator = ", ") {
  std::vector<std::string> out;
  for (const auto& item : array)
    out.push_back(item.is_string() ? item.get<std::string>() : JsonText(item));
  return Join(out, separator);
}

std::vector<ChartPoint> Points(const json& array) {
  std::vector<ChartPoint> points;
  for (const auto& p : array) {
    points.push_back({JsonString(p, "label"), JsonNumber(p, "value").value_or(0)});
  }
  return points;
}

}  // namespace

void LayOutPlanSection(const json& model, ReportWriter& out) {
  const json& plan = JsonField(model, "plan");
  if (!plan.is_object()) return;
  out.Heading(2, "Plan");
  const json& objectives = JsonField(plan, "objectives");
  const json& rollback = JsonField(plan, "rollback");
  out.FactList({{"File", StringText(plan, "file")},
                {"Max downtime", SecondsText(objectives, "max_downtime_seconds")},
                {"Max lag", SecondsText(objectives, "max_lag_seconds")},
                {"Owners", JsonArray(plan, "owners").empty() ? "none named"
                                                             : Strings(JsonArray(plan, "owners"))},
                {"Rollback when", JsonArray(rollback, "when").empty()
                                      ? "no criteria written"
                                      : Strings(JsonArray(rollback, "when"), "; ")}});
  std::vector<Row> rows;
  int n = 0;
  for (const auto& step : JsonArray(plan, "steps")) {
    rows.push_back({std::to_string(++n), StringText(step, "id"), StringText(step, "title"),
                    JsonBool(step, "gate").value_or(false) ? "approval gate" : "",
                    StringText(step, "command")});
  }
  out.Table({"#", "Step", "What", "Gate", "Command"}, rows, -1);
  std::vector<Row> queries;
  for (const auto& q : JsonArray(objectives, "queries")) {
    queries.push_back(
        {StringText(q, "name"), SecondsText(q, "p50_seconds"), SecondsText(q, "p95_seconds")});
  }
  if (!queries.empty()) out.Table({"Query", "p50 target", "p95 target"}, queries, -1);
}

void LayOutInventorySection(const json& model, ReportWriter& out) {
  const json& inventory = JsonField(model, "inventory");
  if (!inventory.is_object()) return;
  out.Heading(2, "Inventory");
  out.Paragraph(fmt::format("From inventory run #{}.", CountText(inventory, "run")));
  std::vector<Row> rows;
  for (const auto& s : JsonArray(inventory, "systems")) {
    rows.push_back({StringText(s, "name"), StringText(s, "kind"), StringText(s, "state"),
                    StringText(s, "detail"), StringText(s, "target")});
  }
  if (!rows.empty()) out.Table({"System", "Kind", "State", "Detail", "Check"}, rows, -1);
  out.FactList({{"System order", Strings(JsonArray(inventory, "system_order"))},
                {"Table load order", Strings(JsonArray(inventory, "load_order"))},
                {"Wave order", JsonArray(inventory, "wave_order").empty()
                                   ? "no waves"
                                   : Strings(JsonArray(inventory, "wave_order"))}});
  std::vector<std::string> cycles;
  for (const auto& c : JsonArray(inventory, "system_cycles"))
    cycles.push_back("systems: " + Strings(c, " -> "));
  for (const auto& c : JsonArray(inventory, "table_cycles"))
    cycles.push_back("foreign keys: " + Strings(c, " -> "));
  if (!cycles.empty()) {
    out.Alert("Dependency cycles", "each cycle below must be broken or loaded together");
    out.Bullets(cycles);
  }
  std::string svg = JsonString(inventory, "diagram_svg");
  if (!svg.empty()) {
    out.Figure("dependencies",
               "Dependencies: systems and tables (an arrow points at what is needed first)", svg,
               "mermaid", JsonString(inventory, "mermaid"));
  }
}

void LayOutChartsSection(const json& model, ReportWriter& out) {
  const json& charts = JsonField(model, "charts");
  const json& lag = JsonArray(charts, "lag");
  const json& freeze = JsonArray(charts, "freeze");
  if (lag.empty() && freeze.empty()) return;
  out.Heading(2, "Lag and freeze");
  const json& objectives = JsonField(JsonField(model, "plan"), "objectives");
  if (!lag.empty()) {
    ChartSpec spec{.title = "Replication lag",
                   .unit = "s",
                   .limit = JsonNumber(objectives, "max_lag_seconds"),
                   .limit_label = "max_lag"};
    out.Figure("lag", "Replication lag of the sync runs", LineChartSvg(spec, Points(lag)), "text",
               ChartText(spec, Points(lag)));
  }
  if (!freeze.empty()) {
    ChartSpec spec{.title = "Source frozen (downtime) per cutover",
                   .unit = "s",
                   .limit = JsonNumber(objectives, "max_downtime_seconds"),
                   .limit_label = "max_downtime"};
    out.Figure("freeze", "How long the source was frozen at each cutover",
               BarChartSvg(spec, Points(freeze)), "text", ChartText(spec, Points(freeze)));
  }
}

void LayOutLessonsSection(const json& model, ReportWriter& out) {
  out.Heading(2, "Lessons learned");
  std::vector<std::string> lessons;
  for (const auto& lesson : JsonArray(model, "lessons")) {
    if (lesson.is_string()) lessons.push_back(lesson.get<std::string>());
  }
  if (lessons.empty()) {
    out.Paragraph("PeerLock recorded nothing that went wrong. Add what the team learned.");
    return;
  }
  out.Paragraph("Prefilled from what PeerLock recorded; edit and add what the team learned:");
  out.Bullets(lessons);
}

}  // namespace peerlock
