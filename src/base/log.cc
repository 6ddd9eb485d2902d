#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace peerlock {

void InitLogging(LogLevel level) {
  auto logger = spdlog::stderr_color_mt("peerlock");
  // Debug logging is read to find where time went: each line carries its time of day.
  logger->set_pattern(level == LogLevel::kDebug ? "%H:%M:%S.%e %^%l%$: %v" : "%^%l%$: %v");
  switch (level) {
    case LogLevel::kQuiet: logger->set_level(spdlog::level::warn); break;
    case LogLevel::kInfo: logger->set_level(spdlog::level::info); break;
    case LogLevel::kDebug: logger->set_level(spdlog::level::debug); break;
  }
  spdlog::set_default_logger(logger);
}

}  // namespace peerlock
