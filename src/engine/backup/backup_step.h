#pragma once
// `peerlock backup`: a consistent, compressed, checksummed backup of one database.
//   1. the connector dumps the whole database natively (SQLite's backup API, pg_dump) in a
//      snapshot its session then stays in;
//   2. in that same snapshot, every table's row count and canonical digest are read;
//   3. the dump is compressed with zstd while its SHA-256 is taken, and deleted;
//   4. manifest.json is written last: a directory without it is not a backup.
// The database keeps serving writes throughout. Blocks; not thread-safe.

#include <string>

#include "base/cancel.h"
#include "connector/connector.h"
#include "engine/backup/backup_manifest.h"

namespace peerlock {

struct BackupOptions {
  std::string dir;           // created; refused when it already holds a manifest
  int level = 3;             // zstd level
  std::string retain_until;  // an archive's retention, recorded in the manifest
  const CancelFlag* cancel = nullptr;
};

Result<BackupManifest> RunBackup(const Connector& connector, const Endpoint& database,
                                 const BackupOptions& options);

// Writes `manifest` as `<dir>/manifest.json` through a temporary file and a rename.
Status WriteManifest(const std::string& dir, const BackupManifest& manifest);

}  // namespace peerlock
