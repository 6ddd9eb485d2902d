#include "engine/backup/backup_manifest.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace peerlock {

using nlohmann::json;

int64_t BackupManifest::total_rows() const {
  int64_t rows = 0;
  for (const auto& t : tables) rows += t.digest.rows;
  return rows;
}

json ManifestToJson(const BackupManifest& m) {
  json tables = json::array();
  for (const auto& t : m.tables)
    tables.push_back(
        {{"table", t.table}, {"rows", t.digest.rows}, {"digest", t.digest.ToString()}});
  json j = {{"peerlock_backup", 1},
            {"created_at", m.created_at},
            {"database", m.database},
            {"dialect", m.dialect},
            {"format", m.format},
            {"archive", m.archive},
            {"raw_bytes", m.raw_bytes},
            {"compressed_bytes", m.compressed_bytes},
            {"sha256", m.sha256},
            {"tables", tables},
            {"dump_seconds", m.dump_seconds},
            {"digest_seconds", m.digest_seconds},
            {"compress_seconds", m.compress_seconds}};
  if (!m.retain_until.empty()) j["retain_until"] = m.retain_until;
  return j;
}

Result<BackupManifest> ReadManifest(const std::string& path, std::string& directory) {
  namespace fs = std::filesystem;
  fs::path file = fs::is_directory(path) ? fs::path(path) / kManifestFile : fs::path(path);
  directory = file.parent_path().string();
  auto bad = [&](const std::string& what) {
    return Fail(Error(ErrorCode::kInvalidArgument, file.string() + ": " + what)
                    .WithHint("give the directory `peerlock backup` printed; a backup is whole "
                              "only once its manifest.json is written, last"));
  };
  std::ifstream in(file);
  if (!in) {
    if (fs::exists(file.parent_path() / (std::string(kManifestFile) + ".partial")) ||
        fs::is_directory(path))
      return bad("no manifest: the backup did not finish (interrupted or failed)");
    return Fail(Error(ErrorCode::kNotFound, "no backup at " + path)
                    .WithHint("give the directory `peerlock backup` printed"));
  }
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not valid JSON");
  if (j.value("peerlock_backup", 0) != 1) return bad("not a PeerLock backup manifest (version 1)");
  BackupManifest m;
  try {
    m.created_at = j.at("created_at").get<std::string>();
    m.database = j.at("database").get<std::string>();
    m.dialect = j.at("dialect").get<std::string>();
    m.format = j.at("format").get<std::string>();
    m.archive = j.at("archive").get<std::string>();
    m.raw_bytes = j.at("raw_bytes").get<int64_t>();
    m.compressed_bytes = j.at("compressed_bytes").get<int64_t>();
    m.sha256 = j.at("sha256").get<std::string>();
    m.retain_until = j.value("retain_until", std::string());
    m.dump_seconds = j.value("dump_seconds", 0.0);
    m.digest_seconds = j.value("digest_seconds", 0.0);
    m.compress_seconds = j.value("compress_seconds", 0.0);
    for (const auto& t : j.at("tables")) {
      TableDigest d{.table = t.at("table").get<std::string>()};
      if (!Digest::Parse(t.at("digest").get<std::string>(), d.digest))
        return bad("table " + d.table + ": digest '" + t.at("digest").get<std::string>() +
                   "' is not <rows>:<32 hex digits>");
      m.tables.push_back(std::move(d));
    }
  } catch (const json::exception& e) {
    return bad(std::string("missing or mistyped field: ") + e.what());
  }
  if (m.archive.empty() || m.archive.find('/') != std::string::npos)
    return bad("archive '" + m.archive + "' must be a file name in the backup's directory");
  return m;
}

}  // namespace peerlock
