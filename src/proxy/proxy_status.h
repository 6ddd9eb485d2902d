#pragma once
// What a running proxy reports: over the control socket (ProxyControl), and in its state file
// `<state dir>/proxy.json`, which `peerlock status` reads. Plain data; thread-safe as a value.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"

namespace peerlock {

// kForwarding: new connections go to the backend. kHolding: new connections wait (each at most
// hold_timeout). kDraining: holding, and in-flight connections are closed when grace ends.
enum class ProxyState { kForwarding, kHolding, kDraining };
const char* ProxyStateName(ProxyState state);

struct ProxyStatus {
  ProxyState state = ProxyState::kForwarding;
  std::string listen;   // HOST:PORT the proxy accepts on
  std::string backend;  // HOST:PORT new connections go to
  std::string control;  // control socket path
  int64_t pid = 0;
  std::string started_at;  // UTC, base/time_text.h
  std::string updated_at;
  int64_t active = 0;            // connections forwarding (or connecting to the backend)
  int64_t held = 0;              // connections waiting for a release
  int64_t accepted = 0;          // connections accepted since start
  int64_t hold_timeouts = 0;     // held connections closed because hold_timeout passed
  int64_t drain_closed = 0;      // in-flight connections closed when a drain's grace ended
  int64_t backend_failures = 0;  // connections closed because the backend refused them
  int64_t switches = 0;          // backend changes since start
  int64_t bytes_to_backend = 0;
  int64_t bytes_to_client = 0;
  bool stopped = false;  // the proxy exited (the state file outlives it)
};

nlohmann::json ProxyStatusToJson(const ProxyStatus& status);
Result<ProxyStatus> ProxyStatusFromJson(const nlohmann::json& json);
// Two lines for people: state, backend, connections, bytes, switches.
std::string ProxyStatusToText(const ProxyStatus& status);

// `<state_dir>/proxy.json` and `<state_dir>/proxy.sock`.
std::string ProxyStateFilePath(const std::string& state_dir);
std::string DefaultControlSocketPath(const std::string& state_dir);

// Replaces the state file atomically (write a temporary file, then rename), so a reader never
// sees half a file.
Status WriteProxyStateFile(const std::string& path, const ProxyStatus& status);
Result<ProxyStatus> ReadProxyStateFile(const std::string& path);

}  // namespace peerlock
