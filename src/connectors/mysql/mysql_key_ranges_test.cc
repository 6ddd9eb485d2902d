#include "connectors/mysql/mysql_key_ranges.h"

#include <gtest/gtest.h>

#include <limits>

namespace peerlock {
namespace {

TEST(MysqlKeyRanges, EvenSplitPointsBoundEveryChunkByItsWidth) {
  IntegerKeyBounds b{.min = 1, .max = 10, .estimated_rows = 10};
  EXPECT_EQ(EvenSplitPoints(b, 3), (std::vector<int64_t>{4, 7, 10}));  // [1,4) [4,7) [7,10) [10,)
  EXPECT_EQ(EvenSplitPoints(b, 10), std::vector<int64_t>{});           // one chunk
  EXPECT_EQ(EvenSplitPoints(b, 0), std::vector<int64_t>{});
  IntegerKeyBounds negative{.min = -5, .max = 4, .estimated_rows = 10};
  EXPECT_EQ(EvenSplitPoints(negative, 5), std::vector<int64_t>{0});
  // The ends of int64: no overflow, points still inside the bounds.
  IntegerKeyBounds wide{.min = std::numeric_limits<int64_t>::max() - 4,
                        .max = std::numeric_limits<int64_t>::max(),
                        .estimated_rows = 5};
  EXPECT_EQ(EvenSplitPoints(wide, 2), (std::vector<int64_t>{std::numeric_limits<int64_t>::max() - 2,
                                                            std::numeric_limits<int64_t>::max()}));
}

TEST(MysqlKeyRanges, OnlyADenseKeyIsSplitByItsBounds) {
  // 5M keys over 1..5M: dense. 5M keys spread over 1..10^12: 10^7 near-empty chunks, not.
  EXPECT_TRUE(DenseEnough({.min = 1, .max = 5000000, .estimated_rows = 5000000}, 100000));
  EXPECT_TRUE(DenseEnough({.min = 1, .max = 9000000, .estimated_rows = 5000000}, 100000));
  EXPECT_FALSE(DenseEnough({.min = 1, .max = 1000000000000, .estimated_rows = 5000000}, 100000));
  // A stale estimate of 0 rows still lets a small key space through (a few chunks at most).
  EXPECT_TRUE(DenseEnough({.min = 1, .max = 150000, .estimated_rows = 0}, 100000));
  EXPECT_FALSE(DenseEnough({.min = std::numeric_limits<int64_t>::min(),
                            .max = std::numeric_limits<int64_t>::max(),
                            .estimated_rows = 2},
                           100000));
}

TEST(MysqlKeyRanges, EvenRangesCoverTheBoundsExactlyOnce) {
  for (int parts : {1, 2, 3, 4, 7}) {
    IntegerKeyBounds b{.min = -3, .max = 1000, .estimated_rows = 0};
    auto ranges = EvenRanges(b, parts);
    ASSERT_FALSE(ranges.empty());
    EXPECT_LE(ranges.size(), static_cast<size_t>(parts));
    EXPECT_EQ(ranges.front().first, -3);
    EXPECT_EQ(ranges.back().second, 1000);
    for (size_t i = 1; i < ranges.size(); ++i)
      EXPECT_EQ(ranges[i].first, ranges[i - 1].second + 1) << parts << " parts, range " << i;
  }
  auto all = EvenRanges({.min = std::numeric_limits<int64_t>::min(),
                         .max = std::numeric_limits<int64_t>::max(),
                         .estimated_rows = 0},
                        2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], std::make_pair(std::numeric_limits<int64_t>::min(), int64_t{-1}));
  EXPECT_EQ(all[1], std::make_pair(int64_t{0}, std::numeric_limits<int64_t>::max()));
}

}  // namespace
}  // namespace peerlock
