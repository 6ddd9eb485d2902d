#pragma once
// Process-wide logging on spdlog, to stderr. Secrets must be redacted before they reach here
// (Endpoint::Redacted); logging itself does not inspect messages. Thread-safe.

#include <spdlog/spdlog.h>

namespace peerlock {

enum class LogLevel { kQuiet, kInfo, kDebug };

// Installs the stderr logger; call once from main before any thread starts.
void InitLogging(LogLevel level);

}  // namespace peerlock

#define PL_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define PL_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define PL_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define PL_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
