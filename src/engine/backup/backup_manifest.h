#pragma once
// What `peerlock backup` writes next to its archive, and what `peerlock restore` checks a
// restore against: the database it came from, the archive's size and SHA-256, and per table the
// row count and canonical digest (CANONICAL.md) read in the very snapshot the dump was taken in.
// Pure data and (de)serialisation; thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "core/canonical.h"

namespace peerlock {

inline constexpr char kManifestFile[] = "manifest.json";

struct TableDigest {
  std::string table;
  Digest digest;  // rows and the sum of row hashes
};

struct BackupManifest {
  std::string created_at;  // UTC, ISO 8601
  std::string database;    // the backed-up database's URL, password redacted
  std::string dialect;     // its connector's scheme: sqlite, postgresql
  std::string format;      // Session::DumpDatabase's: sqlite-database, pg-custom
  std::string archive;     // the zstd file's name, in the manifest's directory
  int64_t raw_bytes = 0, compressed_bytes = 0;
  std::string sha256;  // of the archive
  std::vector<TableDigest> tables;
  std::string retain_until;  // an archive's retention (YYYY-MM-DD, UTC); empty for a backup
  double dump_seconds = 0, digest_seconds = 0, compress_seconds = 0;

  int64_t total_rows() const;
};

nlohmann::json ManifestToJson(const BackupManifest& manifest);
// `path`: a backup directory or its manifest.json. Errors name the file and what is wrong.
Result<BackupManifest> ReadManifest(const std::string& path, std::string& directory);

}  // namespace peerlock
