#pragma once
// Even pieces of an integer key space [min, max], for scans and chunks split by key without
// reading the keys: a range of W consecutive integers holds at most W rows, whatever the gaps.
// Pure; exact at the ends of int64 (no overflow).

#include <cstdint>
#include <utility>
#include <vector>

namespace peerlock {

// min + width, min + 2*width, ... up to max: the split points of ranges of `width` keys.
std::vector<int64_t> EvenSplitPoints(int64_t min, int64_t max, int64_t width);

// [from, to] pieces covering [min, max] exactly, `parts` of them at most.
std::vector<std::pair<int64_t, int64_t>> EvenRanges(int64_t min, int64_t max, int parts);

}  // namespace peerlock
