#include "base/duration.h"

#include <charconv>
#include <cmath>

#include "base/strings.h"

namespace peerlock {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::string trimmed = Trim(text);
  size_t unit_at = trimmed.find_first_not_of("0123456789.");
  std::string number = trimmed.substr(0, unit_at);
  std::string unit = unit_at == std::string::npos ? "s" : Trim(trimmed.substr(unit_at));
  if (number.empty() || number.front() == '.' || number.back() == '.') return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
  double scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m" || unit == "min") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return std::nullopt;
  }
  double ms = std::round(value * scale);
  // A year is far past any timeout PeerLock waits for; beyond it the text is surely a mistake.
  if (!std::isfinite(ms) || ms < 0 || ms > 366.0 * 24 * 3'600'000) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string text = std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
  while (text.back() == '0') text.pop_back();
  return text + "s";
}

}  // namespace peerlock
