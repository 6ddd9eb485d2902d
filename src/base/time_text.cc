#include "base/time_text.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

namespace peerlock {

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms.count());
}

}  // namespace peerlock
