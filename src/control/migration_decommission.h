#pragma once
// Phase 9 of the roadmap, decommissioning the retired source:
//   `peerlock archive --retain 7y`: a backup of the source (migration_backup.h) whose manifest
//   says how long it is kept; recorded as an "archive" run.
//   `peerlock purge --archive DIR --confirm URL`: deletes every row of the source's tables,
//   children first, after proving the archive is whole (read back, SHA-256) and that each table
//   still holds exactly what the archive holds (digest), so nothing is purged that was not
//   archived. Recorded as a "decommission" run listing every table, the rows purged and the
//   archive: the checklist's "legacy decommissioned" evidence. A purge cut short is run again:
//   tables already empty pass the check.
// Both refuse while the source is still the live database (no succeeded cutover, or a rollback
// after it) unless `force`. Not thread-safe (uses the Migration).

#include <nlohmann/json.hpp>
#include <string>

#include "control/migration_backup.h"

namespace peerlock {

// `retain`: "90d" or "7y" (a year is 365 days).
Result<BackupOutcome> ArchiveSource(Migration& migration, const std::string& retain,
                                    const std::string& out, bool force);

struct PurgeOutcome {
  int64_t rows = 0;
  nlohmann::json summary;  // what the run recorded
};

// `confirm` must be the source's URL as PeerLock prints it (password redacted).
Result<PurgeOutcome> PurgeSource(Migration& migration, const std::string& archive,
                                 const std::string& confirm, bool force);

}  // namespace peerlock
