#pragma once
// Durations as people write them in plans and flags: "10s", "500ms", "2m", "1h", "1.5s", "90d".
// Pure functions, thread-safe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace peerlock {

// Parses a non-negative duration with a unit (ms, s, m, h, d); a bare number is seconds. Fractions
// are allowed ("1.5s") and rounded to whole milliseconds. nullopt on junk, a negative value or
// overflow.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// "10s", "500ms", "1.5s", "2m": the shortest form ParseDuration reads back to the same value.
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace peerlock
