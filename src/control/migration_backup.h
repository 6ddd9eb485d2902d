#pragma once
// Phase 8 of the roadmap, on a migration: `peerlock backup` of its target (or source) and
// `peerlock restore --verify`, the restore drill. Both are recorded as runs: "backup", and
// "restore-drill", whose summary (restore_verified, monitoring_ok, rto_seconds) is the
// checklist's evidence for "monitoring and backups validated". The drill probes the monitoring
// endpoint (--monitoring, else the plan's system named `monitoring`) once the data is back.
// Not thread-safe (uses the Migration).

#include <nlohmann/json.hpp>
#include <string>

#include "control/migration.h"
#include "engine/backup/backup_step.h"
#include "engine/backup/restore_step.h"

namespace peerlock {

struct BackupOutcome {
  BackupManifest manifest;
  std::string dir;
};

// `side`: "target" (after a cutover, the live database) or "source". `out`: the directory
// (default `<state dir>/<kind>s/<side>-<UTC time>`). `kind` is the run recorded: "backup", or
// "archive" (with `retain_until`, see migration_decommission.h).
Result<BackupOutcome> BackupDatabase(Migration& migration, const std::string& side,
                                     const std::string& out, const std::string& kind = "backup",
                                     const std::string& retain_until = "");

struct DrillOutcome {
  RestoreResult restore;
  std::string into;  // redacted
  bool passed = false;
  nlohmann::json summary;  // what the run recorded
};

// `into`: an empty database of the backup's dialect; by default a new one under
// `<state dir>/restore-drills/` where the backed-up database's connector can make it
// (Connector::ScratchDatabaseUrl; SQLite: a file). Never the migration's own source or target.
Result<DrillOutcome> RestoreDrill(Migration& migration, const ConnectorRegistry& registry,
                                  const std::string& backup, const std::string& into, bool verify,
                                  const std::string& monitoring);

}  // namespace peerlock
