#include "engine/report/report_roadmap_model.h"

#include <fmt/format.h>

#include "engine/report/report_model.h"
#include "plan/plan_steps.h"

namespace peerlock {
namespace {

using nlohmann::json;

json OptionalSeconds(const std::optional<double>& seconds) {
  return seconds ? json(*seconds) : json(nullptr);
}

json PlanModel(const Plan& plan) {
  json steps = json::array();
  for (const PlanStep& step : BuildPlanSteps(plan)) {
    steps.push_back(
        {{"id", step.id}, {"title", step.title}, {"gate", step.gate}, {"command", step.command}});
  }
  json queries = json::array();
  for (const QueryTarget& q : plan.objectives.queries) {
    queries.push_back({{"name", q.name},
                       {"p50_seconds", OptionalSeconds(q.p50_seconds)},
                       {"p95_seconds", OptionalSeconds(q.p95_seconds)}});
  }
  json owners = json::array();
  for (const OwnerSpec& o : plan.owners) owners.push_back(o.component + ": " + o.team);
  json waves = json::array();
  for (const WaveSpec& w : plan.waves) {
    waves.push_back(
        {{"name", w.name}, {"tables", w.tables}, {"where", w.where}, {"approve", w.approve}});
  }
  return {{"file", plan.file},
          {"steps", steps},
          {"objectives",
           {{"max_downtime_seconds", OptionalSeconds(plan.objectives.max_downtime_seconds)},
            {"max_lag_seconds", OptionalSeconds(plan.objectives.max_lag_seconds)},
            {"queries", queries}}},
          {"owners", owners},
          {"rollback",
           {{"when", plan.rollback.when},
            {"within_seconds", OptionalSeconds(plan.rollback.within_seconds)}}},
          {"waves", waves}};
}

json InventoryModel(const json& runs) {
  const json* latest = nullptr;
  for (const auto& run : runs) {
    if (JsonString(run, "kind") == "inventory" && JsonString(run, "status") == "succeeded")
      latest = &run;
  }
  if (!latest) return nullptr;
  const json& summary = JsonField(*latest, "summary");
  const json& systems = JsonField(summary, "systems");
  json out = {{"run", JsonField(*latest, "id")},
              {"load_order", JsonArray(summary, "load_order")},
              {"warnings", JsonArray(summary, "warnings")},
              {"diagram_svg", JsonString(summary, "diagram_svg")}};
  for (const char* key : {"systems", "system_order", "wave_order", "wave_problems", "system_cycles",
                          "table_cycles"}) {
    out[key] = JsonArray(systems, key);
  }
  out["mermaid"] = JsonString(JsonField(systems, "diagram"), "mermaid");
  return out;
}

// "2026-11-30T14:03:07.123Z" -> "14:03:07"
std::string ClockTime(const std::string& at) { return at.size() >= 19 ? at.substr(11, 8) : at; }

json ChartsModel(const json& runs) {
  json lag = json::array(), freeze = json::array();
  for (const auto& run : runs) {
    const std::string kind = JsonString(run, "kind");
    const json& summary = JsonField(run, "summary");
    if (kind == "sync") {
      for (const auto& sample : JsonArray(summary, "lag_samples")) {
        if (auto value = JsonNumber(sample, "lag_seconds"))
          lag.push_back({{"label", ClockTime(JsonString(sample, "at"))}, {"value", *value}});
      }
      if (JsonArray(summary, "lag_samples").empty()) {
        if (auto value = JsonNumber(summary, "lag_seconds"))
          lag.push_back({{"label", ClockTime(JsonString(run, "finished_at"))}, {"value", *value}});
      }
    } else if (kind == "cutover") {
      if (auto value = JsonNumber(summary, "freeze_seconds")) {
        freeze.push_back({{"label", fmt::format("cutover #{}", JsonInt(run, "id").value_or(0))},
                          {"value", *value}});
      }
    }
  }
  return {{"lag", lag}, {"freeze", freeze}};
}

json Lessons(const json& model) {
  json lessons = json::array();
  for (const auto& incident : JsonArray(model, "incidents")) {
    lessons.push_back(
        fmt::format("run #{} ({}) {}: {} — what caused it, and what changes next "
                    "time?",
                    JsonInt(incident, "run").value_or(0), JsonString(incident, "kind"),
                    JsonString(incident, "status"), JsonString(incident, "message")));
  }
  const json& objectives = JsonField(JsonField(model, "plan"), "objectives");
  const json& charts = JsonField(model, "charts");
  auto over = [&](const char* chart, const char* objective, const char* what) {
    auto limit = JsonNumber(objectives, objective);
    if (!limit) return;
    for (const auto& point : JsonArray(charts, chart)) {
      double value = JsonNumber(point, "value").value_or(0);
      if (value > *limit) {
        lessons.push_back(fmt::format("{} at {} was {:.3f}s, over the objective {} = {:.3f}s", what,
                                      JsonString(point, "label"), value, objective, *limit));
      }
    }
  };
  over("freeze", "max_downtime_seconds", "downtime");
  over("lag", "max_lag_seconds", "lag");
  const json& inventory = JsonField(model, "inventory");
  for (const auto& problem : JsonArray(inventory, "wave_problems")) {
    if (problem.is_string()) lessons.push_back("wave order: " + problem.get<std::string>());
  }
  size_t shown = 0;
  for (const auto& warning : JsonArray(inventory, "warnings")) {
    if (shown++ == 10) {
      lessons.push_back("... and more inventory warnings (see the inventory section)");
      break;
    }
    if (warning.is_string()) lessons.push_back("inventory warning: " + warning.get<std::string>());
  }
  for (const auto& item : JsonArray(model, "checklist")) {
    if (!JsonBool(item, "done").value_or(false)) {
      lessons.push_back("not done: " + JsonString(item, "item") + " (" +
                        JsonString(item, "evidence") + ")");
    }
  }
  return lessons;
}

}  // namespace

void AddRoadmapModel(json& model, const Plan* plan) {
  if (plan) model["plan"] = PlanModel(*plan);
  const json& runs = JsonArray(model, "runs");
  if (json inventory = InventoryModel(runs); !inventory.is_null()) model["inventory"] = inventory;
  model["charts"] = ChartsModel(runs);
  model["lessons"] = Lessons(model);
}

}  // namespace peerlock
