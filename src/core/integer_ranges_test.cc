#include "core/integer_ranges.h"

#include <gtest/gtest.h>

#include <limits>

namespace peerlock {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(IntegerRanges, EvenSplitPointsBoundEveryChunkByItsWidth) {
  EXPECT_EQ(EvenSplitPoints(1, 10, 3),
            (std::vector<int64_t>{4, 7, 10}));                    // [1,4) [4,7) [7,10) [10,)
  EXPECT_EQ(EvenSplitPoints(1, 10, 10), std::vector<int64_t>{});  // one chunk
  EXPECT_EQ(EvenSplitPoints(1, 10, 0), std::vector<int64_t>{});
  EXPECT_EQ(EvenSplitPoints(-5, 4, 5), std::vector<int64_t>{0});
  // The ends of int64: no overflow, points still inside the bounds.
  EXPECT_EQ(EvenSplitPoints(kMax - 4, kMax, 2), (std::vector<int64_t>{kMax - 2, kMax}));
}

TEST(IntegerRanges, EvenRangesCoverTheBoundsExactlyOnce) {
  for (int parts : {1, 2, 3, 4, 7}) {
    auto ranges = EvenRanges(-3, 1000, parts);
    ASSERT_FALSE(ranges.empty());
    EXPECT_LE(ranges.size(), static_cast<size_t>(parts));
    EXPECT_EQ(ranges.front().first, -3);
    EXPECT_EQ(ranges.back().second, 1000);
    for (size_t i = 1; i < ranges.size(); ++i)
      EXPECT_EQ(ranges[i].first, ranges[i - 1].second + 1) << parts << " parts, range " << i;
  }
  auto all = EvenRanges(kMin, kMax, 2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], std::make_pair(kMin, int64_t{-1}));
  EXPECT_EQ(all[1], std::make_pair(int64_t{0}, kMax));
}

}  // namespace
}  // namespace peerlock
