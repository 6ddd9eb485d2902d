#include "base/fault_points.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

#include "base/strings.h"

namespace peerlock {
namespace {

struct FaultConfig {
  std::string name;
  long long at = 0;
  int signal = SIGKILL;
};

const FaultConfig& Config() {
  static const FaultConfig config = [] {
    FaultConfig c;
    const char* env = std::getenv("PEERLOCK_FAULT");
    if (!env) return c;
    auto parts = Split(env, ':');
    if (parts.size() == 2 || (parts.size() == 3 && parts[2] == "TERM")) {
      if (auto n = ParseInt64(parts[1])) {
        c.name = parts[0];
        c.at = *n;
        if (parts.size() == 3) c.signal = SIGTERM;
      }
    }
    return c;
  }();
  return config;
}

std::atomic<long long> hits{0};

}  // namespace

void FaultPoint(std::string_view name) {
  const FaultConfig& config = Config();
  if (config.at <= 0 || name != config.name) return;
  if (hits.fetch_add(1) + 1 == config.at) kill(getpid(), config.signal);
}

}  // namespace peerlock
