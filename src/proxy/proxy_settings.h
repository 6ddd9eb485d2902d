#pragma once
// What `peerlock proxy` is told: the plan's `proxy:` section, overridden by flags. Plain data.

#include <chrono>
#include <optional>
#include <string>

#include "proxy/host_port.h"

namespace peerlock {

struct ProxySettings {
  std::optional<HostPort> listen;   // where applications connect; required to run the proxy
  std::optional<HostPort> backend;  // where it forwards; default: the plan source's host:port
  std::chrono::milliseconds hold_timeout{10'000};  // longest a held connection waits
  std::chrono::milliseconds grace{5'000};          // in-flight connections' time to finish on drain
  std::string control;  // control socket path; default: <state dir>/proxy.sock
};

}  // namespace peerlock
