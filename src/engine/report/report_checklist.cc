#include "engine/report/report_checklist.h"

#include <fmt/format.h>

#include "engine/report/report_model.h"

namespace peerlock {
namespace {

using nlohmann::json;

json Item(const std::string& migration, const char* id, const char* item, bool done,
          const std::string& evidence) {
  return {{"migration", migration},
          {"id", id},
          {"item", item},
          {"done", done},
          {"state", done ? "done" : "not yet"},
          {"evidence", evidence}};
}

// The latest run of `kind` in `migration` (with `status` unless empty), or nullptr.
const json* Latest(const json& runs, const std::string& migration, const std::string& kind,
                   const std::string& status = "") {
  const json* latest = nullptr;
  for (const auto& run : runs) {
    if (JsonString(run, "migration") != migration || JsonString(run, "kind") != kind) continue;
    if (!status.empty() && JsonString(run, "status") != status) continue;
    latest = &run;
  }
  return latest;
}

std::string RunName(const json& run) {
  return fmt::format("{} run #{}", JsonString(run, "kind"), JsonInt(run, "id").value_or(0));
}

// "inventory completed" and "data copied": some run of the kind succeeded.
json SucceededItem(const json& runs, const std::string& migration, const char* kind, const char* id,
                   const char* item) {
  if (const json* ok = Latest(runs, migration, kind, "succeeded")) {
    std::string evidence = RunName(*ok) + " succeeded";
    std::string finished = JsonString(*ok, "finished_at");
    if (!finished.empty()) evidence += " at " + finished;
    return Item(migration, id, item, true, evidence);
  }
  if (const json* latest = Latest(runs, migration, kind)) {
    return Item(migration, id, item, false,
                fmt::format("no {} run succeeded yet; the latest, {}, is {}", kind,
                            RunName(*latest), JsonString(*latest, "status", "unknown")));
  }
  return Item(migration, id, item, false, fmt::format("no {} run is recorded", kind));
}

json ValidationItem(const json& runs, const std::string& migration) {
  const char* id = "validation_passed";
  const char* item = "validation passed";
  const json* latest = Latest(runs, migration, "verify");
  if (!latest) return Item(migration, id, item, false, "no verify run is recorded");
  const json& summary = JsonField(*latest, "summary");
  auto equal = JsonBool(summary, "equal");
  if (equal && *equal) {
    std::string evidence = "the latest verify, " + RunName(*latest) + ", found every table equal";
    if (auto rows = JsonInt(summary, "rows_compared"))
      evidence += fmt::format(" ({} rows compared)", *rows);
    return Item(migration, id, item, true, evidence);
  }
  if (equal) {
    auto count = JsonInt(summary, "differences");
    return Item(migration, id, item, false,
                fmt::format("the latest verify, {}, found {}", RunName(*latest),
                            count ? fmt::format("{} differences", *count) : "differences"));
  }
  return Item(migration, id, item, false,
              fmt::format("the latest verify, {}, is {} and recorded no result", RunName(*latest),
                          JsonString(*latest, "status", "unknown")));
}

}  // namespace

json BuildChecklist(const std::string& migration, const json& runs) {
  const std::string unrecorded = "no evidence recorded: PeerLock does not record this step yet";
  json items = json::array();
  items.push_back(
      SucceededItem(runs, migration, "inventory", "inventory_completed", "inventory completed"));
  items.push_back(
      Item(migration, "proof_of_concept_passed", "proof of concept passed", false, unrecorded));
  items.push_back(Item(migration, "plan_versioned", "plan versioned", false, unrecorded));
  items.push_back(SucceededItem(runs, migration, "copy", "data_copied", "data copied"));
  items.push_back(ValidationItem(runs, migration));
  items.push_back(Item(migration, "pilot_successful", "pilot successful", false, unrecorded));
  items.push_back(
      Item(migration, "cutover_done", "final sync and cutover done", false, unrecorded));
  items.push_back(Item(migration, "monitoring_and_backups_validated",
                       "monitoring and backups validated", false, unrecorded));
  items.push_back(
      Item(migration, "legacy_decommissioned", "legacy decommissioned", false, unrecorded));
  return items;
}

}  // namespace peerlock
