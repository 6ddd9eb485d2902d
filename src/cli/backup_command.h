#pragma once
// `peerlock backup` and `peerlock restore` (roadmap phase 8: hardening, backup and DR),
// `peerlock archive` and `peerlock purge` (phase 9: decommissioning). Same
// contract as commands.h: each returns the process exit code and prints errors once.

#include <CLI/CLI.hpp>
#include <string>

#include "connector/registry.h"
#include "control/migration.h"

namespace peerlock {

struct BackupCommandOptions {
  std::string side = "target";  // backup: which database
  std::string out;              // backup: the directory
  std::string backup;           // restore: the backup directory (or its manifest.json)
  std::string into;             // restore: an empty database
  std::string monitoring;       // restore: the endpoint probed during the drill
  bool verify = false;          // restore: compare every table's digest with the backup's
  bool json = false;
  std::string retain;   // archive: 90d, 7y
  std::string archive;  // purge: the archive's directory
  std::string confirm;  // purge: the source's URL
  bool force = false;   // archive, purge: the source was retired without a PeerLock cutover
};

struct BackupCommands {
  CLI::App* backup = nullptr;
  CLI::App* restore = nullptr;
  CLI::App* archive = nullptr;
  CLI::App* purge = nullptr;
};

// Registers both subcommands; `add_migration_options` adds --plan/--source/--target/--state.
BackupCommands AddBackupCommands(CLI::App& app, BackupCommandOptions& options,
                                 const std::function<void(CLI::App*)>& add_migration_options);

// Exit 0 with the backup's directory printed.
int RunBackupCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const BackupCommandOptions& options);
// Exit 0 when restored (and, with --verify, every table matches; with a monitoring endpoint,
// it answered); 1 when the drill found a problem.
int RunRestoreCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const BackupCommandOptions& options);

// Exit 0 with the archive's directory printed; 1 while the source is still live.
int RunArchiveCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const BackupCommandOptions& options);
// Exit 0 when every table was purged; 1 when a check refused (source live, table changed).
int RunPurgeCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                    const BackupCommandOptions& options);

}  // namespace peerlock
