#include "engine/backup/restore_step.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "base/elapsed.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/zstd_file.h"
#include "engine/backup/table_digests.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;

// A private temporary directory, removed with everything in it on every path.
class ScratchDir {
 public:
  Status Create() {
    std::string pattern = (fs::temp_directory_path() / "peerlock-restore-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      return Fail(Error(ErrorCode::kIo, "cannot create a temporary directory in " +
                                            fs::temp_directory_path().string())
                      .WithHint("set TMPDIR to a writable directory with room for the "
                                "uncompressed backup"));
    path_ = pattern;
    return {};
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::vector<RestoredTable> Compare(const BackupManifest& manifest,
                                   const std::vector<TableDigest>& restored) {
  std::map<std::string, Digest> found;
  for (const auto& t : restored) found[t.table] = t.digest;
  std::vector<RestoredTable> out;
  for (const auto& t : manifest.tables) {
    RestoredTable r{.table = t.table, .expected = t.digest};
    auto it = found.find(t.table);
    if (it == found.end()) {
      r.restored.rows = -1;
      r.problem = "missing after the restore";
    } else {
      r.restored = it->second;
      found.erase(it);
      if (r.restored.rows != r.expected.rows)
        r.problem = fmt::format("{} rows restored of {}", r.restored.rows, r.expected.rows);
      else if (!(r.restored == r.expected))
        r.problem = "same row count, but the rows' digest differs";
    }
    r.equal = r.problem.empty();
    out.push_back(std::move(r));
  }
  for (const auto& [name, digest] : found)
    out.push_back({.table = name, .restored = digest, .problem = "not in the backup"});
  return out;
}

// Decompresses `archive` into `dump` (nowhere when empty), checked against the manifest.
Status Unpack(const std::string& archive, const std::string& dump, const BackupManifest& manifest,
              const std::string& backup_dir, const CancelFlag* cancel) {
  auto unpacked = DecompressFile(archive, dump, cancel);
  if (!unpacked) {
    Error error = unpacked.error();
    if (error.code() == ErrorCode::kDataLoss)
      error.WithHint("nothing was changed (no restore, no purge); use another copy of this backup");
    return Fail(std::move(error));
  }
  if (unpacked->sha256 != manifest.sha256 || unpacked->raw_bytes != manifest.raw_bytes)
    return Fail(
        Error(ErrorCode::kDataLoss,
              fmt::format("the backup {} is damaged: its archive's SHA-256 is {} ({} "
                          "bytes unpacked), the manifest recorded {} ({} bytes)",
                          backup_dir, unpacked->sha256, unpacked->raw_bytes, manifest.sha256,
                          manifest.raw_bytes))
            .WithHint(
                "nothing was changed (no restore, no purge); use another copy of this backup"));
  return {};
}

// A restore never mixes with other data: the destination must hold no table, view or trigger
// yet (PeerLock's own bookkeeping aside), or the dump's DROP ... IF EXISTS would replace them.
// Checked here, once for every dialect, before anything is written.
Status RefuseHeldTables(Session& session, const Endpoint& into) {
  PL_ASSIGN(Catalog held, WithContext(session.Introspect(/*count_rows=*/false),
                                      "listing the tables of " + into.Redacted()));
  std::vector<std::string> names;
  for (const auto& t : held.tables) names.push_back(t.name);
  for (const auto& v : held.views) names.push_back("view " + v.name);
  for (const auto& t : held.triggers) names.push_back("trigger " + t.name);
  if (names.empty()) return {};
  const size_t shown = std::min<size_t>(names.size(), 5);
  return Fail(Error(ErrorCode::kBlocked,
                    "the restore destination " + into.Redacted() + " already holds tables (" +
                        Join(std::vector<std::string>(names.begin(), names.begin() + shown), ", ") +
                        (names.size() > shown ? ", ...)" : ")"))
                  .WithHint(into.scheme() == "sqlite"
                                ? "restore into a new file: give --into sqlite:///path/new.db"
                                : "restore into an empty database: create one (createdb NAME, "
                                  "or CREATE DATABASE name), then give its URL with --into"));
}

}  // namespace

Status CheckArchive(const std::string& directory, const BackupManifest& manifest,
                    const CancelFlag* cancel) {
  // An empty output: unpacked and checked, but written nowhere.
  return Unpack((fs::path(directory) / manifest.archive).string(), "", manifest, directory, cancel);
}

Result<BackupManifest> OpenBackup(const std::string& backup, std::string& directory) {
  PL_ASSIGN(BackupManifest manifest, ReadManifest(backup, directory));
  directory = fs::absolute(directory).lexically_normal().string();
  fs::path archive = fs::path(directory) / manifest.archive;
  if (!fs::exists(archive))
    return Fail(
        Error(ErrorCode::kNotFound, "the backup's archive " + archive.string() + " is missing")
            .WithHint("copy the whole backup directory, archive and manifest together"));
  return manifest;
}

Result<RestoreResult> RunRestore(const Connector& connector, const Endpoint& into,
                                 const BackupManifest& manifest, const std::string& directory,
                                 const RestoreOptions& options) {
  auto start = std::chrono::steady_clock::now();
  RestoreResult result{.manifest = manifest, .backup_dir = directory};
  std::string archive = (fs::path(result.backup_dir) / manifest.archive).string();

  ScratchDir scratch;
  PL_TRY(scratch.Create());
  std::string dump = scratch.File("dump.raw");
  PL_TRY(Unpack(archive, dump, manifest, result.backup_dir, options.cancel));
  result.check_seconds = SecondsSince(start);

  auto step = std::chrono::steady_clock::now();
  {
    PL_ASSIGN(auto session,
              WithContext(connector.Connect(into, SessionOptions{.create = true}),
                          "connecting to the restore destination " + into.Redacted()));
    PL_TRY(RefuseHeldTables(*session, into));
    PL_TRY(session->RestoreDump(dump, manifest.format));
  }
  result.restore_seconds = SecondsSince(step);
  PL_LOG_INFO("restored {} into {} in {:.2f} s", result.backup_dir, into.Redacted(),
              result.restore_seconds);

  if (options.verify) {
    step = std::chrono::steady_clock::now();
    PL_ASSIGN(auto session, WithContext(connector.Connect(into, SessionOptions{.read_only = true}),
                                        "reading back " + into.Redacted()));
    PL_TRY(session->BeginSnapshot());
    PL_ASSIGN(auto restored, DigestTables(*session, connector.dialect(), options.cancel));
    (void)session->EndSnapshot();
    result.tables = Compare(manifest, restored);
    result.verified = true;
    for (const auto& t : result.tables) result.verified = result.verified && t.equal;
    result.verify_seconds = SecondsSince(step);
  }
  result.rto_seconds = SecondsSince(start);
  return result;
}

}  // namespace peerlock
