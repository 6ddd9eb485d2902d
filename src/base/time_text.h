#pragma once
// Wall-clock time as text for records: "2026-11-25T14:03:07.123Z" (UTC, milliseconds).

#include <chrono>
#include <string>

namespace peerlock {

std::string NowUtc();
// `t` in the same form.
std::string UtcText(std::chrono::system_clock::time_point t);

}  // namespace peerlock
