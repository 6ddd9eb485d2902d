#include "control/migration_backup.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "base/time_text.h"
#include "engine/systems/probe_watch.h"
#include "engine/systems/system_probe.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// "2026-12-01T03:04:05.123Z" -> "20261201T030405.123Z": a file name that sorts by time.
std::string Stamp() {
  std::string out;
  for (char c : NowUtc())
    if (c != '-' && c != ':') out += c;
  return out;
}

// The drill's monitoring probe: --monitoring, else the plan's system named "monitoring".
std::string MonitoringUrl(const Plan& plan, const std::string& given) {
  if (!given.empty()) return given;
  for (const auto& s : plan.systems)
    if (s.name == "monitoring") return s.check;
  return "";
}

// A restore drill without --into: a new database under `<state dir>/restore-drills/`, when the
// connector of the backed-up database can make one (SQLite: a file).
Result<std::string> ScratchInto(Migration& m, const ConnectorRegistry& registry,
                                const BackupManifest& manifest) {
  fs::path dir = fs::absolute(fs::path(m.state().dir()) / "restore-drills");
  auto backed_up = Endpoint::Parse(manifest.database);
  const Connector* connector = backed_up ? registry.Find(*backed_up).value_or(nullptr) : nullptr;
  std::optional<std::string> url;
  if (connector) url = connector->ScratchDatabaseUrl(manifest.format, dir.string(), Stamp());
  if (!url)
    return Fail(Error(ErrorCode::kInvalidArgument,
                      "--into is needed to restore a " + manifest.format + " backup")
                    .WithHint("create an empty database for the drill (PostgreSQL: createdb "
                              "restore_drill; MariaDB: CREATE DATABASE restore_drill) and give "
                              "its URL with --into"));
  std::error_code ec;
  fs::create_directories(dir, ec);
  return *url;
}

}  // namespace

Result<BackupOutcome> BackupDatabase(Migration& m, const std::string& side, const std::string& out,
                                     const std::string& kind, const std::string& retain_until) {
  const EngineContext& ctx = m.context();
  if (side != "target" && side != "source")
    return Fail(Error(ErrorCode::kInvalidArgument, "--side '" + side + "' is not a database")
                    .WithHint("give --side target (the default) or --side source"));
  bool target = side == "target";
  const Endpoint& database = target ? ctx.target : ctx.source;
  const Connector& connector = target ? *ctx.target_connector : *ctx.source_connector;
  BackupOutcome outcome;
  outcome.dir = out.empty()
                    ? (fs::path(m.state().dir()) / (kind + "s") / (side + "-" + Stamp())).string()
                    : out;
  PL_ASSIGN(RunRecord run,
            m.state().StartRun(ctx.migration, kind, ctx.source.Redacted(), ctx.target.Redacted(),
                               {{"side", side}, {"dir", outcome.dir}}));
  auto made = RunBackup(
      connector, database,
      BackupOptions{.dir = outcome.dir, .retain_until = retain_until, .cancel = ctx.cancel});
  if (!made) {
    (void)m.state().FinishRun(run.id, "failed", {{"error", made.error().message()}});
    return std::unexpected(made.error());
  }
  outcome.manifest = std::move(*made);
  const BackupManifest& b = outcome.manifest;
  json summary = {{"side", side},
                  {"dir", outcome.dir},
                  {"database", b.database},
                  {"format", b.format},
                  {"tables", b.tables.size()},
                  {"rows", b.total_rows()},
                  {"raw_bytes", b.raw_bytes},
                  {"compressed_bytes", b.compressed_bytes},
                  {"sha256", b.sha256}};
  if (!retain_until.empty()) summary["retain_until"] = retain_until;
  summary["evidence"] = fmt::format(
      "{} of the {} ({}): {} tables, {} rows, {} bytes zstd-compressed from {}, sha256 {}{}", kind,
      side, b.database, b.tables.size(), b.total_rows(), b.compressed_bytes, b.raw_bytes,
      b.sha256.substr(0, 16), retain_until.empty() ? "" : ", kept until " + retain_until);
  PL_TRY(m.state().FinishRun(run.id, "succeeded", summary));
  return outcome;
}

Result<DrillOutcome> RestoreDrill(Migration& m, const ConnectorRegistry& registry,
                                  const std::string& backup, const std::string& into_url,
                                  bool verify, const std::string& monitoring) {
  const EngineContext& ctx = m.context();
  std::string backup_dir;
  PL_ASSIGN(BackupManifest manifest, OpenBackup(backup, backup_dir));
  std::string url = into_url;
  if (url.empty()) {
    PL_ASSIGN(url, ScratchInto(m, registry, manifest));
  }
  PL_ASSIGN(Endpoint into, WithContext(Endpoint::Parse(url), "--into"));
  for (const Endpoint* own : {&ctx.source, &ctx.target})
    if (into.Redacted() == own->Redacted())
      return Fail(Error(ErrorCode::kInvalidArgument, "--into " + into.Redacted() +
                                                         " is this migration's own " +
                                                         (own == &ctx.source ? "source" : "target"))
                      .WithHint("a restore drill writes into a scratch database, never into the "
                                "databases being migrated"));
  PL_ASSIGN(const Connector* connector, registry.Find(into));

  DrillOutcome outcome;
  outcome.into = into.Redacted();
  PL_ASSIGN(RunRecord run, m.state().StartRun(ctx.migration, "restore-drill", ctx.source.Redacted(),
                                              ctx.target.Redacted(),
                                              {{"backup", backup_dir}, {"into", outcome.into}}));
  // Monitoring is watched through the whole drill (a probe a second), not only at its end.
  const std::string probe_url = MonitoringUrl(m.plan(), monitoring);
  std::optional<ProbeWatch> watch;
  if (!probe_url.empty()) watch.emplace(probe_url, std::chrono::seconds(1), 5.0);
  auto restored = RunRestore(*connector, into, manifest, backup_dir,
                             RestoreOptions{.verify = verify, .cancel = ctx.cancel});
  if (!restored) {
    (void)m.state().FinishRun(run.id, "failed", {{"error", restored.error().message()}});
    return std::unexpected(restored.error());
  }
  outcome.restore = std::move(*restored);
  const RestoreResult& r = outcome.restore;

  json monitoring_json = nullptr;
  json monitoring_watch = nullptr;
  bool monitoring_ok = false;
  std::string monitoring_text = "no monitoring endpoint given (--monitoring URL)";
  if (watch) {
    ProbeRecord seen = watch->Stop();
    monitoring_ok = seen.failures == 0;
    monitoring_json = SystemHealthToJson(seen.last);
    monitoring_watch = ProbeRecordToJson(seen);
    monitoring_text =
        fmt::format("monitoring {} {} during the drill", probe_url, ProbeRecordText(seen));
  }
  json tables = json::array();
  std::vector<std::string> problems;
  for (const auto& t : r.tables) {
    tables.push_back({{"table", t.table},
                      {"rows", t.expected.rows},
                      {"restored_rows", t.restored.rows},
                      {"equal", t.equal},
                      {"problem", t.problem}});
    if (!t.equal) problems.push_back(t.table + ": " + t.problem);
  }
  outcome.passed = (!verify || r.verified) && (probe_url.empty() || monitoring_ok);
  std::string restore_text =
      verify ? (r.verified ? "every table's row count and digest match the backup"
                           : fmt::format("{} table(s) differ from the backup", problems.size()))
             : "not verified (--verify not given)";
  outcome.summary = {{"backup", r.backup_dir},
                     {"into", outcome.into},
                     {"format", r.manifest.format},
                     {"tables", tables},
                     {"rows", r.manifest.total_rows()},
                     {"restore_verified", verify && r.verified},
                     {"monitoring", probe_url},
                     {"monitoring_ok", monitoring_ok},
                     {"monitoring_probe", monitoring_json},
                     {"monitoring_watch", monitoring_watch},
                     {"rto_seconds", r.rto_seconds},
                     {"check_seconds", r.check_seconds},
                     {"restore_seconds", r.restore_seconds},
                     {"verify_seconds", r.verify_seconds}};
  outcome.summary["evidence"] = fmt::format(
      "restore drill of {} ({} rows) into {}: {}; RTO {:.2f} s; {}", r.backup_dir,
      r.manifest.total_rows(), outcome.into, restore_text, r.rto_seconds, monitoring_text);
  if (!outcome.passed) outcome.summary["error"] = outcome.summary["evidence"];
  PL_TRY(m.state().FinishRun(run.id, outcome.passed ? "succeeded" : "failed", outcome.summary));
  return outcome;
}

}  // namespace peerlock
