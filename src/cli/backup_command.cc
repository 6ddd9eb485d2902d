#include "cli/backup_command.h"

#include <cstdio>

#include "cli/commands.h"
#include "control/migration_backup.h"

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
  return cmds;
}

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
  const BackupManifest& b = outcome->manifest;
  std::printf("backup of %s: %zu tables, %lld rows, %lld bytes (zstd, from %lld)\n",
              b.database.c_str(), b.tables.size(), static_cast<long long>(b.total_rows()),
              static_cast<long long>(b.compressed_bytes), static_cast<long long>(b.raw_bytes));
  std::printf("sha256 %s\n%s\n", b.sha256.c_str(), outcome->dir.c_str());
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

}  // namespace peerlock
