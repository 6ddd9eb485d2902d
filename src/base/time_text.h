#pragma once
// Wall-clock time as text for records: "2026-11-25T14:03:07.123Z" (UTC, milliseconds).

#include <string>

namespace peerlock {

std::string NowUtc();

}  // namespace peerlock
