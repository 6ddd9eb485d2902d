#pragma once
// `peerlock restore BACKUP --into URL [--verify]`: the restore drill.
//   1. the archive is decompressed to a temporary file while its SHA-256 is taken; a damaged
//      or truncated archive stops here, before the destination is touched;
//   2. the connector loads the dump into the destination, which must hold no tables;
//   3. --verify: every table's row count and canonical digest, read from the restored database,
//      must equal the manifest's (read from the original in the dump's own snapshot).
// The time from start to the verified restore is the drill's measured RTO. Blocks; not
// thread-safe.

#include <string>
#include <vector>

#include "base/cancel.h"
#include "connector/connector.h"
#include "engine/backup/backup_manifest.h"

namespace peerlock {

struct RestoreOptions {
  bool verify = true;
  const CancelFlag* cancel = nullptr;
};

struct RestoredTable {
  std::string table;
  Digest expected, restored;  // restored.rows = -1 when the table is missing
  bool equal = false;
  std::string problem;  // "missing after the restore", "rows 10 of 12", "digest differs"
};

struct RestoreResult {
  BackupManifest manifest;
  std::string backup_dir;
  bool verified = false;  // --verify ran and every table matched
  std::vector<RestoredTable> tables;
  double check_seconds = 0, restore_seconds = 0, verify_seconds = 0;
  double rto_seconds = 0;  // from start to restored (and verified, with --verify)
};

// Reads and checks the manifest of `backup` (a backup directory or its manifest.json) alone
// (what --into defaults depend on); sets `directory` to the backup's, absolute.
Result<BackupManifest> OpenBackup(const std::string& backup, std::string& directory);

// Reads the whole archive back (zstd's own checks and the manifest's SHA-256 and size) without
// keeping what it unpacks: kDataLoss when it is damaged or truncated.
Status CheckArchive(const std::string& directory, const BackupManifest& manifest,
                    const CancelFlag* cancel);

// Restores the backup OpenBackup read (`manifest`, from `directory`) into `into`.
Result<RestoreResult> RunRestore(const Connector& connector, const Endpoint& into,
                                 const BackupManifest& manifest, const std::string& directory,
                                 const RestoreOptions& options);

}  // namespace peerlock
