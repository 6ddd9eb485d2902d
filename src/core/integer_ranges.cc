#include "core/integer_ranges.h"

#include <algorithm>

namespace peerlock {

std::vector<int64_t> EvenSplitPoints(int64_t min, int64_t max, int64_t width) {
  std::vector<int64_t> points;
  if (width <= 0) return points;
  for (__int128 p = static_cast<__int128>(min) + width; p <= max; p += width)
    points.push_back(static_cast<int64_t>(p));
  return points;
}

std::vector<std::pair<int64_t, int64_t>> EvenRanges(int64_t min, int64_t max, int parts) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  parts = std::max(parts, 1);
  const __int128 span = static_cast<__int128>(max) - min + 1;
  const __int128 step = (span + parts - 1) / parts;
  for (__int128 from = min; from <= max; from += step)
    ranges.emplace_back(static_cast<int64_t>(from),
                        static_cast<int64_t>(std::min<__int128>(max, from + step - 1)));
  return ranges;
}

}  // namespace peerlock
