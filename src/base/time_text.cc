#include "base/time_text.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

namespace peerlock {

std::string NowUtc() { return UtcText(std::chrono::system_clock::now()); }

std::string UtcText(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(t)), ms.count());
}

}  // namespace peerlock
