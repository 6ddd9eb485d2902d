#include "engine/backup/backup_step.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>

#include "base/elapsed.h"
#include "base/log.h"
#include "base/time_text.h"
#include "base/zstd_file.h"
#include "engine/backup/table_digests.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;

Status PrepareDirectory(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::path(dir) / kManifestFile))
    return Fail(Error(ErrorCode::kInvalidArgument, dir + " already holds a backup")
                    .WithHint("give --out a new directory; backups are never overwritten"));
  fs::create_directories(dir, ec);
  if (ec)
    return Fail(
        Error(ErrorCode::kIo, "cannot create the backup directory " + dir + ": " + ec.message())
            .WithHint("check the permissions of its parent directory"));
  return {};
}

}  // namespace

Status WriteManifest(const std::string& dir, const BackupManifest& manifest) {
  fs::path path = fs::path(dir) / kManifestFile;
  fs::path partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial);
    out << ManifestToJson(manifest).dump(2) << "\n";
    out.flush();
    if (!out)
      return Fail(Error(ErrorCode::kIo, "cannot write " + partial.string())
                      .WithHint("free space on that disk, then run the backup again"));
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec)
    return Fail(Error(ErrorCode::kIo, "cannot rename " + partial.string() + ": " + ec.message()));
  return {};
}

Result<BackupManifest> RunBackup(const Connector& connector, const Endpoint& database,
                                 const BackupOptions& options) {
  PL_TRY(PrepareDirectory(options.dir));
  BackupManifest manifest;
  manifest.created_at = NowUtc();
  manifest.database = database.Redacted();
  manifest.dialect = connector.scheme();
  manifest.retain_until = options.retain_until;
  PL_ASSIGN(auto session,
            WithContext(connector.Connect(database, SessionOptions{.read_only = true}),
                        "connecting to " + database.Redacted()));
  // The raw dump lives only until it is compressed; its name says it is not the backup.
  std::string raw = (fs::path(options.dir) / "dump.raw").string();
  auto start = std::chrono::steady_clock::now();
  auto dumped = session->DumpDatabase(raw);
  if (!dumped) {
    std::error_code ec;
    fs::remove(raw, ec);
    fs::remove(options.dir, ec);  // only when empty: a directory the backup just made
    return std::unexpected(dumped.error());
  }
  manifest.format = *dumped;
  manifest.dump_seconds = SecondsSince(start);

  // The archive is compressed while the digests are read: the one works on our CPU, the other
  // mostly on the database's, so together they take about as long as the slower of the two.
  manifest.archive = fmt::format("{}.zst", manifest.format);
  const std::string archive = (fs::path(options.dir) / manifest.archive).string();
  auto compressing = std::async(std::launch::async, [&] {
    auto began = std::chrono::steady_clock::now();
    auto compressed = CompressFile(raw, archive, options.level, options.cancel);
    manifest.compress_seconds = SecondsSince(began);
    return compressed;
  });
  start = std::chrono::steady_clock::now();
  auto digests = DigestTables(*session, connector.dialect(), options.cancel);
  manifest.digest_seconds = SecondsSince(start);
  (void)session->EndSnapshot();
  session.reset();
  auto compressed = compressing.get();
  std::error_code ec;
  fs::remove(raw, ec);
  if (!digests || !compressed) {
    fs::remove(archive, ec);
    return std::unexpected(!digests ? digests.error() : compressed.error());
  }
  manifest.tables = std::move(*digests);
  manifest.raw_bytes = compressed->raw_bytes;
  manifest.compressed_bytes = compressed->compressed_bytes;
  manifest.sha256 = compressed->sha256;
  PL_TRY(WriteManifest(options.dir, manifest));
  PL_LOG_INFO("backup of {} written to {}: {} tables, {} rows, {} bytes compressed",
              manifest.database, options.dir, manifest.tables.size(), manifest.total_rows(),
              manifest.compressed_bytes);
  return manifest;
}

}  // namespace peerlock
