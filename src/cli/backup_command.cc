#include "cli/backup_command.h"

#include <cstdio>

#include "cli/commands.h"
#include "control/migration_decommission.h"

namespace peerlock {

BackupCommands AddBackupCommands(CLI::App& app, BackupCommandOptions& o,
                                 const std::function<void(CLI::App*)>& add_migration_options) {
  BackupCommands cmds;
  cmds.backup = app.add_subcommand(
      "backup", "a consistent, zstd-compressed, checksummed backup of the target (or source)");
  add_migration_options(cmds.backup);
  cmds.backup->add_option("--side", o.side, "target (default) or source")
      ->check(CLI::IsMember({"target", "source"}));
  cmds.backup->add_option("--out", o.out,
                          "directory to create (default .peerlock/backups/<side>-<time>)");
  cmds.backup->add_flag("--json", o.json, "print the manifest as JSON");

  cmds.restore = app.add_subcommand(
      "restore", "restore a backup into an empty database; --verify makes it a restore drill");
  add_migration_options(cmds.restore);
  cmds.restore->add_option("backup", o.backup, "the directory `peerlock backup` printed")
      ->required();
  cmds.restore->add_option("--into", o.into,
                           "an empty database (default for SQLite backups: a new file under "
                           ".peerlock/restore-drills/)");
  cmds.restore->add_flag("--verify", o.verify,
                         "compare every restored table's row count and digest with the backup");
  cmds.restore->add_option("--monitoring", o.monitoring,
                           "http(s):// or tcp:// endpoint that must answer during the drill "
                           "(default: the plan's system named monitoring)");
  cmds.restore->add_flag("--json", o.json, "print the drill's summary as JSON");

  cmds.archive = app.add_subcommand(
      "archive", "decommission, 1/2: back up the retired source, kept for a retention period");
  add_migration_options(cmds.archive);
  cmds.archive->add_option("--retain", o.retain, "how long the archive is kept: 90d, 7y")
      ->required();
  cmds.archive->add_option("--out", o.out,
                           "directory to create (default .peerlock/archives/source-<time>)");
  cmds.archive->add_flag("--force", o.force, "the source was retired without a PeerLock cutover");

  cmds.purge = app.add_subcommand(
      "purge", "decommission, 2/2: delete every row of the archived source, with a record");
  add_migration_options(cmds.purge);
  cmds.purge->add_option("--archive", o.archive, "the directory `peerlock archive` printed")
      ->required();
  cmds.purge->add_option("--confirm", o.confirm, "the source's URL, as PeerLock prints it")
      ->required();
  cmds.purge->add_flag("--force", o.force, "the source was retired without a PeerLock cutover");
  return cmds;
}

namespace {

void PrintBackup(const BackupOutcome& outcome) {
  const BackupManifest& b = outcome.manifest;
  std::printf("%s of %s: %zu tables, %lld rows, %lld bytes (zstd, from %lld)\n",
              b.retain_until.empty() ? "backup" : "archive", b.database.c_str(), b.tables.size(),
              static_cast<long long>(b.total_rows()), static_cast<long long>(b.compressed_bytes),
              static_cast<long long>(b.raw_bytes));
  if (!b.retain_until.empty()) std::printf("kept until %s\n", b.retain_until.c_str());
  std::printf("sha256 %s\n%s\n", b.sha256.c_str(), outcome.dir.c_str());
}

}  // namespace

int RunBackupCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const BackupCommandOptions& o) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto outcome = BackupDatabase(**migration, o.side, o.out);
  if (!outcome) return ReportError(outcome.error());
  if (o.json) {
    std::printf("%s\n", ManifestToJson(outcome->manifest).dump(2).c_str());
    return kExitOk;
  }
  PrintBackup(*outcome);
  return kExitOk;
}

int RunRestoreCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const BackupCommandOptions& o) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto outcome = RestoreDrill(**migration, registry, o.backup, o.into, o.verify, o.monitoring);
  if (!outcome) return ReportError(outcome.error());
  if (o.json) {
    std::printf("%s\n", outcome->summary.dump(2).c_str());
  } else {
    for (const auto& t : outcome->restore.tables)
      if (!t.equal) std::printf("DIFFERENT %s: %s\n", t.table.c_str(), t.problem.c_str());
    std::printf("%s\n", outcome->summary.value("evidence", std::string()).c_str());
  }
  return outcome->passed ? kExitOk : kExitProblemFound;
}

int RunArchiveCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const BackupCommandOptions& o) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto outcome = ArchiveSource(**migration, o.retain, o.out, o.force);
  if (!outcome) return ReportError(outcome.error());
  PrintBackup(*outcome);
  return kExitOk;
}

int RunPurgeCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                    const BackupCommandOptions& o) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto outcome = PurgeSource(**migration, o.archive, o.confirm, o.force);
  if (!outcome) return ReportError(outcome.error());
  for (const auto& t : outcome->summary["tables"])
    std::printf("purged %-30s %lld rows\n", t["table"].get<std::string>().c_str(),
                static_cast<long long>(t["rows_purged"].get<int64_t>()));
  std::printf("%s\n", outcome->summary.value("evidence", std::string()).c_str());
  return kExitOk;
}

}  // namespace peerlock
