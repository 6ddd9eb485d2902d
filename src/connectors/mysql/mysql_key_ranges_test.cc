#include "connectors/mysql/mysql_key_ranges.h"

#include <gtest/gtest.h>

#include <limits>

namespace peerlock {
namespace {

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

}  // namespace
}  // namespace peerlock
