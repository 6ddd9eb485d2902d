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

// An item ticked by the latest run of `kind` that succeeded and whose summary passes `proves`
// (every succeeded run when null); with `latest_only`, only the latest run of the kind may prove
// it (a plan edited after a good check is no longer versioned). `how` says which command
// records the evidence.
json EvidenceItem(const json& runs, const std::string& migration, const char* kind, const char* id,
                  const char* item, const std::string& how,
                  bool (*proves)(const json& summary) = nullptr, bool latest_only = false) {
  const json* proof = nullptr;
  for (const auto& run : runs) {
    if (JsonString(run, "migration") != migration || JsonString(run, "kind") != kind) continue;
    bool proving =
        JsonString(run, "status") == "succeeded" && (!proves || proves(JsonField(run, "summary")));
    if (proving) {
      proof = &run;
    } else if (latest_only) {
      proof = nullptr;
    }
  }
  if (proof) {
    std::string evidence = RunName(*proof) + " succeeded";
    std::string finished = JsonString(*proof, "finished_at");
    if (!finished.empty()) evidence += " at " + finished;
    std::string detail = JsonString(JsonField(*proof, "summary"), "evidence");
    if (!detail.empty()) evidence += ": " + detail;
    return Item(migration, id, item, true, evidence);
  }
  if (const json* latest = Latest(runs, migration, kind)) {
    std::string detail = JsonString(JsonField(*latest, "summary"), "evidence");
    return Item(migration, id, item, false,
                fmt::format("the latest {} run, {}, is {}{}; {}", kind, RunName(*latest),
                            JsonString(*latest, "status", "unknown"),
                            detail.empty() ? "" : " (" + detail + ")", how));
  }
  return Item(migration, id, item, false, fmt::format("no {} run is recorded; {}", kind, how));
}

// A wave run proves the pilot when the run says it was the pilot (the plan's first wave, or a
// wave named pilot) and its verify found the wave's tables equal.
bool ProvesPilot(const json& summary) {
  return JsonBool(summary, "pilot").value_or(false) && JsonBool(summary, "equal").value_or(false);
}

// A sample run proves the proof of concept only when the sample verified equal.
bool ProvesSample(const json& summary) { return JsonBool(summary, "equal").value_or(false); }

// Backups count as validated when a restore drill verified the restored data, and monitoring
// when its endpoint answered during that drill.
bool ProvesOperations(const json& summary) {
  return JsonBool(summary, "restore_verified").value_or(false) &&
         JsonBool(summary, "monitoring_ok").value_or(false);
}

}  // namespace

json BuildChecklist(const std::string& migration, const json& runs) {
  json items = json::array();
  items.push_back(
      SucceededItem(runs, migration, "inventory", "inventory_completed", "inventory completed"));
  items.push_back(
      EvidenceItem(runs, migration, "sample", "proof_of_concept_passed", "proof of concept passed",
                   "run `peerlock copy --sample 5%` into a staging target", ProvesSample));
  items.push_back(EvidenceItem(
      runs, migration, kPlanVersionKind, "plan_versioned", "plan versioned",
      "commit the plan file to git, then run `peerlock status`", nullptr, /*latest_only=*/true));
  items.push_back(SucceededItem(runs, migration, "copy", "data_copied", "data copied"));
  items.push_back(ValidationItem(runs, migration));
  items.push_back(EvidenceItem(runs, migration, "wave", "pilot_successful", "pilot successful",
                               "run `peerlock migrate --wave <first wave>`", ProvesPilot));
  items.push_back(EvidenceItem(runs, migration, "cutover", "cutover_done",
                               "final sync and cutover done", "run `peerlock cutover`"));
  items.push_back(EvidenceItem(runs, migration, "restore-drill", "monitoring_and_backups_validated",
                               "monitoring and backups validated",
                               "run `peerlock restore --verify` with monitoring up",
                               ProvesOperations));
  items.push_back(EvidenceItem(runs, migration, "decommission", "legacy_decommissioned",
                               "legacy decommissioned",
                               "run `peerlock archive` and `peerlock "
                               "purge` once the source is retired"));
  return items;
}

}  // namespace peerlock
