#include "engine/report/report_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/report/report_checklist.h"

namespace peerlock {
namespace {

using nlohmann::json;

// The recorded JSON is ours but may come from older or newer versions of PeerLock, so every
// field is read through the tolerant accessors and copied into the model as value-or-null.
template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

// "2026-11-25T14:03:07.123Z" -> seconds since the epoch.
std::optional<double> ParseUtc(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z')
    return std::nullopt;
  auto field = [&](size_t pos, size_t len) -> std::optional<int> {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, value);
    if (ec != std::errc() || end != text.data() + pos + len) return std::nullopt;
    return value;
  };
  auto year = field(0, 4), month = field(5, 2), day = field(8, 2);
  auto hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  double fraction = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() == 1) return std::nullopt;
    double scale = 0.1;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      fraction += (c - '0') * scale;
      scale /= 10;
    }
  }
  std::chrono::year_month_day date{std::chrono::year(*year),
                                   std::chrono::month(static_cast<unsigned>(*month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  double days = std::chrono::sys_days(date).time_since_epoch().count();
  return days * 86400.0 + *hour * 3600.0 + *minute * 60.0 + *second + fraction;
}

json StringList(const json& values) {
  json out = json::array();
  for (const auto& value : values) out.push_back(value.is_string() ? value : json(JsonText(value)));
  return out;
}

json StepModel(const StepRecord& step) {
  return {{"name", step.name},
          {"status", step.status},
          {"started_at", step.started_at},
          {"finished_at", step.finished_at},
          {"duration_seconds", OrNull(SecondsBetween(step.started_at, step.finished_at))},
          {"detail", step.detail}};
}

json CopyTableModel(const std::string& name, const json& result) {
  auto rows = JsonInt(result, "rows");
  auto seconds = JsonNumber(result, "seconds");
  std::optional<double> rate = JsonNumber(result, "rows_per_second");
  if (rows && seconds && *seconds > 0) rate = static_cast<double>(*rows) / *seconds;
  return {{"table", name},
          {"source_table", JsonString(result, "source_table", name)},
          {"target_table", JsonString(result, "target_table", name)},
          {"rows", OrNull(rows)},
          {"seconds", OrNull(seconds)},
          {"rows_per_second", OrNull(rate)},
          {"chunks", OrNull(JsonInt(result, "chunks"))}};
}

json DifferenceModel(const json& difference) {
  if (!difference.is_object())
    return {{"kind", ""}, {"key", difference}, {"columns", json::array()}};
  return {{"kind", JsonString(difference, "kind")},
          {"key", JsonField(difference, "key")},
          {"columns", StringList(JsonArray(difference, "columns"))}};
}

json VerifyTableModel(const std::string& name, const json& result) {
  const json& listed = JsonArray(result, "differences");
  // Older records may hold only a count of differences rather than the list.
  int64_t count = JsonInt(result, "differences").value_or(static_cast<int64_t>(listed.size()));
  json shown = json::array();
  for (const auto& difference : listed) {
    if (shown.size() >= static_cast<size_t>(kMaxDifferencesPerTable)) break;
    shown.push_back(DifferenceModel(difference));
  }
  int64_t omitted = std::max<int64_t>(0, count - static_cast<int64_t>(shown.size()));
  return {{"table", JsonString(result, "table", name)},
          {"source_rows", OrNull(JsonInt(result, "source_rows"))},
          {"target_rows", OrNull(JsonInt(result, "target_rows"))},
          {"equal", OrNull(JsonBool(result, "equal"))},
          {"difference_count", count},
          {"differences", std::move(shown)},
          {"differences_omitted", omitted}};
}

Result<json> RunModel(StateStore& store, const RunRecord& run) {
  json model = {{"id", run.id},
                {"kind", run.kind},
                {"migration", run.migration},
                {"source", run.source},
                {"target", run.target},
                {"started_at", run.started_at},
                {"finished_at", run.finished_at},
                {"duration_seconds", OrNull(SecondsBetween(run.started_at, run.finished_at))},
                {"status", run.status},
                {"summary", run.summary}};
  if (const json& error = JsonField(run.summary, "error"); !error.is_null()) {
    model["error"] = error.is_string() ? error.get<std::string>() : JsonText(error);
  }
  model["warnings"] = StringList(JsonArray(run.summary, "warnings"));
  model["foreign_key_problems"] = StringList(JsonArray(run.summary, "foreign_key_problems"));

  std::string context = fmt::format("reading run {}", run.id);
  PL_ASSIGN(auto steps, WithContext(store.Steps(run.id), context));
  model["steps"] = json::array();
  for (const auto& step : steps) model["steps"].push_back(StepModel(step));

  PL_ASSIGN(auto tables, WithContext(store.TableResults(run.id), context));
  model["tables"] = json::array();
  for (const auto& [name, result] : tables) {
    if (run.kind == "copy")
      model["tables"].push_back(CopyTableModel(name, result));
    else if (run.kind == "verify")
      model["tables"].push_back(VerifyTableModel(name, result));
    else
      model["tables"].push_back({{"table", name}, {"result", result}});
  }
  return model;
}

// Null when the run went as planned.
json IncidentModel(const RunRecord& run, const json& model) {
  std::string error = JsonString(model, "error");
  std::string message;
  if (run.status == "failed") {
    message = error.empty() ? "failed; no error was recorded" : error;
  } else if (run.status == "interrupted") {
    message = error.empty() ? "interrupted before it finished" : "interrupted: " + error;
  } else if (run.status == "differences") {
    auto count = JsonInt(run.summary, "differences");
    message = count ? fmt::format("found {} differences", *count) : "found differences";
  } else {
    return nullptr;
  }
  return {{"run", run.id}, {"kind", run.kind}, {"status", run.status}, {"message", message}};
}

Result<json> AuditModel(StateStore& store, const std::string& migration) {
  PL_ASSIGN(auto entries, WithContext(store.audit().Entries(migration), "reading the audit log"));
  json audit = {{"entries", entries.size()}};
  auto check = store.audit().Verify();
  if (check) {
    audit["chain_intact"] = check->ok();
    audit["chain_entries"] = check->entries;
    audit["problems"] = check->problems;
  } else {
    audit["chain_intact"] = false;
    audit["chain_entries"] = nullptr;
    audit["problems"] =
        json::array({"the hash chain could not be checked: " + check.error().message()});
  }
  size_t first = entries.size() > static_cast<size_t>(kMaxAuditEntriesShown)
                     ? entries.size() - kMaxAuditEntriesShown
                     : 0;
  audit["shown"] = json::array();
  for (size_t i = first; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    audit["shown"].push_back({{"seq", entry.seq},
                              {"at", entry.at},
                              {"migration", entry.migration},
                              {"action", entry.action},
                              {"detail", entry.detail}});
  }
  audit["omitted"] = first;
  return audit;
}

}  // namespace

std::optional<double> SecondsBetween(const std::string& start, const std::string& end) {
  auto from = ParseUtc(start), to = ParseUtc(end);
  if (!from || !to) return std::nullopt;
  return *to - *from;
}

std::optional<double> JsonNumber(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  double value = it->get<double>();
  return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
}

std::optional<int64_t> JsonInt(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_number_float()) return std::nullopt;
  // A count written as 1000.0 is still a count; a fraction or an overflow is not.
  double value = it->get<double>();
  if (!std::isfinite(value) || std::trunc(value) != value || std::fabs(value) > 9.0e18)
    return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<bool> JsonBool(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::string JsonString(const json& object, const char* key, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

const json& JsonArray(const json& object, const char* key) {
  static const json kEmpty = json::array();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

const json& JsonField(const json& object, const char* key) {
  static const json kNull = nullptr;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

std::string JsonText(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<json> BuildReportModel(StateStore& store, const std::string& migration) {
  PL_ASSIGN(auto runs, WithContext(store.Runs(migration), "reading runs"));
  if (runs.empty()) {
    std::string what = migration.empty() ? "no run is recorded"
                                         : "no run of migration " + migration + " is recorded";
    return Fail(Error(ErrorCode::kNotFound, what + " in " + store.dir())
                    .WithHint("a report needs at least one inventory, copy or verify run; "
                              "check that --state points at the migration's state directory"));
  }
  json model = {{"format_version", 1}, {"generated_at", NowUtc()}, {"migration", migration}};

  json migrations = json::array();
  std::vector<std::string> keys;
  for (const auto& run : runs) {
    if (std::find(keys.begin(), keys.end(), run.migration) != keys.end()) continue;
    keys.push_back(run.migration);
    migrations.push_back({{"key", run.migration}, {"source", run.source}, {"target", run.target}});
  }
  model["migrations"] = std::move(migrations);

  json run_models = json::array();
  json incidents = json::array();
  for (const auto& run : runs) {
    PL_ASSIGN(auto run_model, RunModel(store, run));
    if (json incident = IncidentModel(run, run_model); !incident.is_null())
      incidents.push_back(std::move(incident));
    run_models.push_back(std::move(run_model));
  }

  json checklist = json::array();
  for (const auto& key : keys) {
    for (auto& item : BuildChecklist(key, run_models)) checklist.push_back(std::move(item));
  }
  model["runs"] = std::move(run_models);
  model["incidents"] = std::move(incidents);
  model["checklist"] = std::move(checklist);
  PL_ASSIGN(model["audit"], AuditModel(store, migration));
  return model;
}

}  // namespace peerlock
