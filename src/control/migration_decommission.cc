#include "control/migration_decommission.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>

#include "control/migration_hooks.h"
#include "engine/backup/table_digests.h"

namespace peerlock {
namespace {

using nlohmann::json;

// The source is retired once a cutover succeeded and no rollback succeeded after it.
Status SourceRetired(Migration& m, bool force) {
  if (force) return {};
  PL_ASSIGN(auto runs, m.state().Runs(m.context().migration));
  std::string last;
  for (const auto& r : runs)
    if (r.status == "succeeded" && (r.kind == "cutover" || r.kind == "rollback")) last = r.kind;
  if (last == "cutover") return {};
  return Fail(Error(ErrorCode::kBlocked,
                    "the source " + m.context().source.Redacted() +
                        " is still the live database: " +
                        (last.empty() ? "no cutover succeeded" : "a rollback followed the cutover"))
                  .WithHint("decommission after `peerlock cutover`; give --force only when the "
                            "source was retired without PeerLock"));
}

Result<std::string> RetainUntil(const std::string& retain) {
  std::smatch m;
  static const std::regex form(R"(^\s*(\d{1,5})\s*([dy])\s*$)");
  if (!std::regex_match(retain, m, form) || std::stoi(m[1]) == 0)
    return Fail(Error(ErrorCode::kInvalidArgument, "--retain '" + retain + "' is not a retention")
                    .WithHint("write it in days or years: 90d, 7y"));
  int days = std::stoi(m[1]) * (m[2] == "y" ? 365 : 1);
  auto until = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
               std::chrono::days(days);
  std::chrono::year_month_day ymd{until};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// Every table of the source must hold what the archive holds (or nothing: purged by an
// earlier, interrupted purge). Returns the tables in load order.
Result<std::vector<TableDigest>> CheckNothingChanged(Session& source, const Dialect& dialect,
                                                     const BackupManifest& archive,
                                                     const std::string& archive_dir,
                                                     const CancelFlag* cancel) {
  PL_ASSIGN(auto now, DigestTables(source, dialect, cancel));
  std::map<std::string, Digest> archived;
  for (const auto& t : archive.tables) archived[t.table] = t.digest;
  for (const auto& t : now) {
    auto it = archived.find(t.table);
    if (it == archived.end())
      return Fail(Error(ErrorCode::kBlocked, "table " + t.table + " is not in the archive " +
                                                 archive_dir + ": it would be purged unarchived")
                      .WithHint("run `peerlock archive` again, then purge with the new archive"));
    if (t.digest.rows != 0 && !(t.digest == it->second))
      return Fail(Error(ErrorCode::kBlocked,
                        fmt::format("table {} changed since the archive {} ({} rows now, {} "
                                    "archived)",
                                    t.table, archive_dir, t.digest.rows, it->second.rows))
                      .WithHint("run `peerlock archive` again, then purge with the new archive"));
  }
  return now;
}

}  // namespace

Result<BackupOutcome> ArchiveSource(Migration& m, const std::string& retain, const std::string& out,
                                    bool force) {
  PL_ASSIGN(std::string until, RetainUntil(retain));
  PL_TRY(SourceRetired(m, force));
  return BackupDatabase(m, "source", out, "archive", until);
}

Result<PurgeOutcome> PurgeSource(Migration& m, const std::string& archive,
                                 const std::string& confirm, bool force) {
  const EngineContext& ctx = m.context();
  if (confirm != ctx.source.Redacted())
    return Fail(Error(ErrorCode::kInvalidArgument,
                      "purge deletes every row of " + ctx.source.Redacted() +
                          (confirm.empty() ? "" : "; --confirm names '" + confirm + "'"))
                    .WithHint("give --confirm " + ctx.source.Redacted() + " to say so"));
  PL_TRY(SourceRetired(m, force));
  std::string dir;
  PL_ASSIGN(BackupManifest manifest, OpenBackup(archive, dir));
  if (manifest.database != ctx.source.Redacted())
    return Fail(Error(ErrorCode::kInvalidArgument, "the archive " + dir + " is of " +
                                                       manifest.database + ", not of the source " +
                                                       ctx.source.Redacted())
                    .WithHint("give the directory `peerlock archive` printed for this migration"));
  PL_TRY(CheckArchive(dir, manifest, ctx.cancel));
  PL_ASSIGN(auto source, WithContext(ctx.source_connector->Connect(ctx.source, SessionOptions{}),
                                     "opening the source " + ctx.source.Redacted() + " to purge"));
  PL_ASSIGN(auto tables, CheckNothingChanged(*source, ctx.source_connector->dialect(), manifest,
                                             dir, ctx.cancel));

  PL_ASSIGN(RunRecord run, m.state().StartRun(ctx.migration, "decommission", ctx.source.Redacted(),
                                              ctx.target.Redacted(), {{"archive", dir}}));
  PurgeOutcome outcome;
  json record = json::array();
  // Children before parents: no foreign key is left pointing at a purged row.
  std::reverse(tables.begin(), tables.end());
  for (const auto& t : tables) {
    auto purged = source->PurgeTable(t.table);
    if (!purged) {
      (void)m.state().FinishRun(run.id, "failed",
                                {{"error", purged.error().message()}, {"tables", record}});
      return std::unexpected(purged.error());
    }
    outcome.rows += *purged;
    record.push_back(
        {{"table", t.table},
         {"rows_purged", *purged},
         {"digest_archived", t.digest.rows ? t.digest.ToString() : "(already empty)"}});
  }
  outcome.summary = {{"archive", dir},
                     {"archive_sha256", manifest.sha256},
                     {"retain_until", manifest.retain_until},
                     {"database", ctx.source.Redacted()},
                     {"tables", record},
                     {"rows", outcome.rows}};
  outcome.summary["evidence"] =
      fmt::format("purged {} rows from {} tables of {}; archived in {} (sha256 {}{})", outcome.rows,
                  tables.size(), ctx.source.Redacted(), dir, manifest.sha256.substr(0, 16),
                  manifest.retain_until.empty() ? "" : ", kept until " + manifest.retain_until);
  PL_TRY(m.state().FinishRun(run.id, "succeeded", outcome.summary));
  // The source is empty and the record made: now the plan may retire the server itself.
  PL_TRY(RunPlanHook(ctx, "decommission", "decommission"));
  return outcome;
}

}  // namespace peerlock
