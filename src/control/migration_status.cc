#include "control/migration_status.h"

#include <fmt/format.h>

#include "base/time_text.h"
#include "engine/check/credential_rotation.h"
#include "engine/check/plan_version.h"
#include "engine/report/report_checklist.h"
#include "engine/report/report_model.h"
#include "engine/sync/sync_status.h"
#include "proxy/proxy_status.h"

namespace peerlock {
namespace {

using nlohmann::json;

// Records the plan's git state unless the latest record already says the same.
Result<PlanVersion> RecordPlanVersion(Migration& m) {
  PlanVersion version = CheckPlanVersion(m.plan().file);
  StateStore& store = m.state();
  const std::string& key = m.context().migration;
  PL_ASSIGN(std::optional<RunRecord> latest, store.LatestRun(key, kPlanVersionKind));
  json summary = PlanVersionToJson(version);
  if (!version.versioned) summary["error"] = version.evidence;  // shown as the incident's cause
  if (latest && latest->summary == summary) return version;
  PL_ASSIGN(RunRecord run,
            store.StartRun(key, kPlanVersionKind, m.context().source.Redacted(),
                           m.context().target.Redacted(), {{"plan", m.plan().file}}));
  PL_TRY(store.FinishRun(run.id, version.versioned ? "succeeded" : "failed", summary));
  return version;
}

std::string SyncBlockText(const json& sync) {
  if (!sync.is_object()) return "Sync: no sync run recorded (peerlock sync)\n";
  std::string out = "Sync:\n";
  if (auto lag = JsonNumber(sync, "lag_seconds")) out += fmt::format("  lag: {:.3f}s\n", *lag);
  for (const auto& table : JsonArray(sync, "tables")) {
    out += fmt::format("  {:<28} {}\n", JsonString(table, "table"), JsonString(table, "state"));
  }
  for (const auto& [k, v] : sync.items()) {
    if (k == "lag_seconds" || k == "tables") continue;
    out += "  " + k + ": " + (v.is_string() ? v.get<std::string>() : JsonText(v)) + "\n";
  }
  return out;
}

}  // namespace

Result<json> MigrationStatus(Migration& m) {
  PL_ASSIGN(PlanVersion version, RecordPlanVersion(m));
  const std::string& key = m.context().migration;
  PL_ASSIGN(json model, BuildReportModel(m.state(), key));
  json latest = json::array();
  json sync = nullptr;
  for (const auto& run : JsonArray(model, "runs")) {
    std::string kind = JsonString(run, "kind");
    json entry = {{"kind", kind},
                  {"id", JsonField(run, "id")},
                  {"status", JsonString(run, "status")},
                  {"started_at", JsonString(run, "started_at")},
                  {"finished_at", JsonString(run, "finished_at")}};
    bool replaced = false;
    for (auto& seen : latest) {
      if (seen["kind"] == kind) {
        seen = entry;
        replaced = true;
      }
    }
    if (!replaced) latest.push_back(entry);
    if (kind == "sync") sync = JsonField(run, "summary");
  }
  // What runs now, beside the finished runs: the live sync (both directions), the cutover's
  // state machine and the proxy.
  PL_ASSIGN(json live_sync, m.SyncStatus());
  if (!live_sync.empty()) sync = live_sync;
  json reverse = nullptr;
  if (auto r = m.ReverseSyncStatus(); r && !r->empty()) reverse = *r;
  PL_ASSIGN(json cutover, m.CutoverStatus());
  json proxy = nullptr;
  if (auto p = ReadProxyStateFile(ProxyStateFilePath(m.state().dir())))
    proxy = ProxyStatusToJson(*p);
  int done = 0;
  for (const auto& item : JsonArray(model, "checklist"))
    done += JsonBool(item, "done").value_or(false) ? 1 : 0;
  return json{{"migration", key},
              {"source", m.context().source.Redacted()},
              {"target", m.context().target.Redacted()},
              {"plan_version", PlanVersionToJson(version)},
              {"latest", latest},
              {"checklist", JsonArray(model, "checklist")},
              {"done", done},
              {"total", JsonArray(model, "checklist").size()},
              {"sync", sync},
              {"reverse_sync", reverse},
              {"cutover", cutover.empty() ? json(nullptr) : cutover},
              {"proxy", proxy},
              {"credentials",
               CredentialReminders(CredentialFactsOf(m.plan()), JsonArray(model, "runs"), key,
                                   m.plan().objectives.credential_max_age_seconds, NowUtc())}};
}

std::string MigrationStatusText(const json& status) {
  std::string out = fmt::format("Migration {}\n  source {}\n  target {}\n\nLatest runs:\n",
                                JsonString(status, "migration"), JsonString(status, "source"),
                                JsonString(status, "target"));
  for (const auto& run : JsonArray(status, "latest")) {
    out += fmt::format("  {:<14} #{:<4} {:<12} {}\n", JsonString(run, "kind"),
                       JsonInt(run, "id").value_or(0), JsonString(run, "status"),
                       JsonString(run, "finished_at", JsonString(run, "started_at")));
  }
  out += fmt::format("\nChecklist ({} of {} done):\n", JsonInt(status, "done").value_or(0),
                     JsonInt(status, "total").value_or(0));
  for (const auto& item : JsonArray(status, "checklist")) {
    out += fmt::format("  [{}] {}\n      evidence: {}\n",
                       JsonBool(item, "done").value_or(false) ? "x" : " ", JsonString(item, "item"),
                       JsonString(item, "evidence"));
  }
  const json& sync = JsonField(status, "sync");
  out += "\n" + (JsonString(sync, "stream").empty() ? SyncBlockText(sync)
                                                    : "Sync:\n" + SyncStatusText(sync));
  if (const json& reverse = JsonField(status, "reverse_sync"); reverse.is_object())
    out += "\nReverse sync (new -> old):\n" + SyncStatusText(reverse);
  if (const json& c = JsonField(status, "cutover"); c.is_object()) {
    out += fmt::format("\n{}: {} at step {}; traffic goes to the {}", JsonString(c, "kind"),
                       JsonString(c, "status"), JsonString(c, "step"), JsonString(c, "active"));
    if (auto freeze = JsonNumber(c, "freeze_seconds"))
      out += fmt::format("; measured freeze {:.3f}s", *freeze);
    if (!JsonString(c, "reason").empty()) out += " (" + JsonString(c, "reason") + ")";
    out += "\n";
  }
  if (const json& p = JsonField(status, "proxy"); p.is_object())
    if (auto proxy = ProxyStatusFromJson(p)) out += "\nProxy:\n" + ProxyStatusToText(*proxy);
  if (std::string credentials = CredentialRemindersText(JsonField(status, "credentials"));
      !credentials.empty())
    out += "\n" + credentials;
  return out;
}

}  // namespace peerlock
