#include "engine/report/report_layout.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "base/strings.h"
#include "engine/report/report_model.h"
#include "engine/report/report_roadmap_layout.h"
#include "engine/report/report_text.h"

namespace peerlock {
namespace {

using nlohmann::json;
using Row = ReportWriter::Row;

// Reports on several migrations name the migration wherever it is not obvious.
struct Layout {
  const json& model;
  ReportWriter& out;
  bool several = JsonArray(model, "migrations").size() > 1;
};

void Header(const Layout& l) {
  const json& migrations = JsonArray(l.model, "migrations");
  const json& runs = JsonArray(l.model, "runs");
  l.out.Title("PeerLock migration report");
  ReportWriter::Facts facts;
  if (!l.several && !migrations.empty()) {
    facts = {{"Migration", StringText(migrations[0], "key")},
             {"Source", StringText(migrations[0], "source")},
             {"Target", StringText(migrations[0], "target")}};
  } else {
    facts = {{"Migrations", std::to_string(migrations.size())}};
  }
  facts.emplace_back("Runs", std::to_string(runs.size()));
  facts.emplace_back("Generated", StringText(l.model, "generated_at"));
  l.out.FactList(facts);
  if (!l.several) return;
  std::vector<Row> rows;
  for (const auto& m : migrations)
    rows.push_back({StringText(m, "key"), StringText(m, "source"), StringText(m, "target")});
  l.out.Table({"Migration", "Source", "Target"}, rows, -1);
}

void Timeline(const Layout& l) {
  l.out.Heading(2, "Timeline");
  Row headers = {"Run", "Kind", "Started", "Finished", "Duration", "Status"};
  if (l.several) headers.push_back("Migration");
  std::vector<Row> rows;
  for (const auto& run : JsonArray(l.model, "runs")) {
    Row row = {fmt::format("#{}", CountText(run, "id")),
               StringText(run, "kind"),
               StringText(run, "started_at"),
               StringText(run, "finished_at", "not finished"),
               DurationText(run, "duration_seconds"),
               StringText(run, "status")};
    if (l.several) row.push_back(StringText(run, "migration"));
    rows.push_back(std::move(row));
  }
  l.out.Table(headers, rows, 5);
}

void Incidents(const Layout& l) {
  l.out.Heading(2, "Incidents");
  const json& incidents = JsonArray(l.model, "incidents");
  if (incidents.empty()) {
    l.out.Paragraph("No run failed, was interrupted or found differences.");
    return;
  }
  std::vector<std::string> items;
  for (const auto& incident : incidents) {
    items.push_back(fmt::format("run #{} ({}) {}: {}", CountText(incident, "run"),
                                StringText(incident, "kind"), StringText(incident, "status"),
                                StringText(incident, "message")));
  }
  l.out.Bullets(items);
}

void Checklist(const Layout& l) {
  l.out.Heading(2, "Checklist");
  std::string current;
  std::vector<ReportWriter::Check> checks;
  auto flush = [&] {
    if (checks.empty()) return;
    if (l.several) l.out.Heading(3, "Migration " + current);
    l.out.Checklist(checks);
    checks.clear();
  };
  for (const auto& item : JsonArray(l.model, "checklist")) {
    std::string migration = JsonString(item, "migration");
    if (migration != current) flush();
    current = migration;
    checks.push_back({.done = JsonBool(item, "done").value_or(false),
                      .item = StringText(item, "item"),
                      .state = StringText(item, "state"),
                      .evidence = StringText(item, "evidence", "")});
  }
  flush();
}

void CopyTables(const Layout& l, const json& tables) {
  std::vector<Row> rows;
  for (const auto& t : tables) {
    rows.push_back({StringText(t, "source_table"), StringText(t, "target_table"),
                    CountText(t, "rows"), DurationText(t, "seconds"),
                    RateText(t, "rows_per_second"), CountText(t, "chunks")});
  }
  l.out.Table({"Source table", "Target table", "Rows", "Time", "Rows/s", "Chunks"}, rows, -1);
}

std::string DifferenceText(const json& difference) {
  std::string text =
      StringText(difference, "kind", "difference") + ": " + KeyText(JsonField(difference, "key"));
  std::vector<std::string> columns;
  for (const auto& column : JsonArray(difference, "columns"))
    columns.push_back(column.is_string() ? column.get<std::string>() : JsonText(column));
  if (!columns.empty()) text += " (columns: " + Join(columns, ", ") + ")";
  return text;
}

void VerifyTables(const Layout& l, const json& tables) {
  std::vector<Row> rows;
  for (const auto& t : tables) {
    rows.push_back({StringText(t, "table"), CountText(t, "source_rows"),
                    CountText(t, "target_rows"), YesNoText(t, "equal"),
                    CountText(t, "difference_count")});
  }
  l.out.Table({"Table", "Source rows", "Target rows", "Equal", "Differences"}, rows, -1);
  for (const auto& t : tables) {
    const json& shown = JsonArray(t, "differences");
    int64_t omitted = JsonInt(t, "differences_omitted").value_or(0);
    if (shown.empty() && omitted == 0) continue;
    l.out.Paragraph(fmt::format("Differences in {} ({} listed of {}):", StringText(t, "table"),
                                shown.size(), CountText(t, "difference_count")));
    std::vector<std::string> items;
    for (const auto& difference : shown) items.push_back(DifferenceText(difference));
    if (omitted > 0) items.push_back(fmt::format("... and {} more not listed", omitted));
    l.out.Bullets(items);
  }
}

void OtherTables(const Layout& l, const json& tables) {
  std::vector<Row> rows;
  for (const auto& t : tables)
    rows.push_back({StringText(t, "table"), ShortJson(JsonField(t, "result"))});
  l.out.Table({"Table", "Result"}, rows, -1);
}

void Steps(const Layout& l, const json& steps) {
  std::vector<Row> rows;
  for (const auto& step : steps) {
    const json& detail = JsonField(step, "detail");
    rows.push_back({StringText(step, "name"), StringText(step, "status"),
                    StringText(step, "started_at"), StringText(step, "finished_at", "not finished"),
                    DurationText(step, "duration_seconds"),
                    detail.is_null() ? "" : ShortJson(detail)});
  }
  l.out.Table({"Step", "Status", "Started", "Finished", "Duration", "Detail"}, rows, 1);
}

void Run(const Layout& l, const json& run) {
  std::string kind = JsonString(run, "kind");
  l.out.Heading(3, fmt::format("Run #{}: {}, {}", CountText(run, "id"), StringText(run, "kind"),
                               StringText(run, "status")));
  ReportWriter::Facts facts = {{"Started", StringText(run, "started_at")},
                               {"Finished", StringText(run, "finished_at", "not finished")},
                               {"Duration", DurationText(run, "duration_seconds")}};
  if (l.several) facts.emplace_back("Migration", StringText(run, "migration"));
  for (auto& fact : SummaryFacts(JsonField(run, "summary"))) facts.push_back(std::move(fact));
  l.out.FactList(facts);
  if (std::string error = JsonString(run, "error"); !error.empty()) l.out.Alert("Error", error);

  auto strings = [](const json& values) {
    std::vector<std::string> items;
    for (const auto& v : values)
      items.push_back(v.is_string() ? v.get<std::string>() : JsonText(v));
    return items;
  };
  if (const json& warnings = JsonArray(run, "warnings"); !warnings.empty()) {
    l.out.Paragraph("Warnings:");
    l.out.Bullets(strings(warnings));
  }
  if (const json& problems = JsonArray(run, "foreign_key_problems"); !problems.empty()) {
    l.out.Paragraph("Foreign key problems:");
    l.out.Bullets(strings(problems));
  }
  if (const json& tables = JsonArray(run, "tables"); !tables.empty()) {
    l.out.Paragraph("Tables:");
    if (kind == "copy")
      CopyTables(l, tables);
    else if (kind == "verify")
      VerifyTables(l, tables);
    else
      OtherTables(l, tables);
  }
  if (const json& steps = JsonArray(run, "steps"); !steps.empty()) {
    l.out.Paragraph("Steps:");
    Steps(l, steps);
  }
}

void Audit(const Layout& l) {
  l.out.Heading(2, "Audit trail");
  const json& audit = JsonField(l.model, "audit");
  bool intact = JsonBool(audit, "chain_intact").value_or(false);
  l.out.FactList({{"Entries", CountText(audit, "entries")},
                  {"Hash chain", intact ? fmt::format("intact ({} entries checked)",
                                                      CountText(audit, "chain_entries"))
                                        : "NOT intact"}});
  if (!intact) {
    l.out.Alert("Audit chain broken", "the audit log was altered, cut short or is unreadable");
    std::vector<std::string> problems;
    for (const auto& p : JsonArray(audit, "problems"))
      problems.push_back(p.is_string() ? p.get<std::string>() : JsonText(p));
    l.out.Bullets(problems);
  }
  const json& shown = JsonArray(audit, "shown");
  if (shown.empty()) return;
  int64_t omitted = JsonInt(audit, "omitted").value_or(0);
  l.out.Paragraph(
      omitted > 0
          ? fmt::format("The last {} entries ({} earlier ones not shown):", shown.size(), omitted)
          : "Every entry:");
  Row headers = {"Seq", "At", "Action", "Detail"};
  if (l.several) headers.push_back("Migration");
  std::vector<Row> rows;
  for (const auto& entry : shown) {
    Row row = {CountText(entry, "seq"), StringText(entry, "at"), StringText(entry, "action"),
               ShortJson(JsonField(entry, "detail"))};
    if (l.several) row.push_back(StringText(entry, "migration"));
    rows.push_back(std::move(row));
  }
  l.out.Table(headers, rows, -1);
}

}  // namespace

// ROADMAP phase 8: which database accounts to rotate (engine/check/credential_rotation.h).
void Credentials(const Layout& l) {
  const json& credentials = JsonArray(l.model, "credentials");
  if (credentials.empty()) return;
  l.out.Heading(2, "Credential rotation");
  std::vector<ReportWriter::Row> rows;
  for (const auto& c : credentials)
    rows.push_back({StringText(c, "side"), StringText(c, "who"), StringText(c, "secret"),
                    JsonBool(c, "due").value_or(false) ? "rotate" : "not yet",
                    StringText(c, "reason")});
  l.out.Table({"side", "account", "password from", "due", "why"}, rows, -1);
}

void LayOutReport(const json& model, ReportWriter& writer) {
  Layout l{.model = model, .out = writer};
  Header(l);
  LayOutPlanSection(model, writer);
  LayOutInventorySection(model, writer);
  Timeline(l);
  Incidents(l);
  Checklist(l);
  Credentials(l);
  LayOutChartsSection(model, writer);
  l.out.Heading(2, "Runs");
  for (const auto& run : JsonArray(model, "runs")) Run(l, run);
  LayOutLessonsSection(model, writer);
  Audit(l);
}

}  // namespace peerlock
