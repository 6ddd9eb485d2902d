#pragma once
// Probes the systems of a plan for `peerlock inventory`: a service or integration by its check
// URL (HTTP(S) GET: a 2xx or 3xx status passes; tcp: the port accepts a connection), storage by
// walking its path (bytes, file count, and the SHA-256 of a manifest of every file's SHA-256 and
// relative path, so two copies of the same tree give the same digest). Every network wait has
// a deadline; nothing retries. Blocks; thread-safe (no shared state).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "plan/plan_roadmap.h"

namespace peerlock {

struct SystemHealth {
  std::string name;
  std::string kind;    // service, storage, integration, database
  std::string target;  // the check URL or the path
  bool ok = false;
  std::string state;   // "up", "down", "missing", "not probed"
  std::string detail;  // "HTTP 200", "connection refused", "1.2 MiB in 14 files"
  double seconds = 0;  // how long the probe took
  int http_status = 0;
  int64_t bytes = -1, files = -1;  // storage
  std::string manifest_digest;     // storage: sha256 hex
};

// Probes one system; `timeout_seconds` bounds connect and response each.
SystemHealth ProbeSystem(const SystemSpec& system, double timeout_seconds);
// The probe of one URL alone (ParseProbeUrl's forms).
SystemHealth ProbeCheckUrl(const std::string& url, double timeout_seconds);
// Measures a storage path alone.
SystemHealth MeasureStorage(const std::string& path);

nlohmann::json SystemHealthToJson(const SystemHealth& health);

}  // namespace peerlock
