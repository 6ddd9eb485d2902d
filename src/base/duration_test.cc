#include "base/duration.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, ReadsUnitsFractionsAndBareSeconds) {
  EXPECT_EQ(ParseDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("2m"), milliseconds(120'000));
  EXPECT_EQ(ParseDuration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(ParseDuration("90d"), milliseconds(90LL * 86'400'000));
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(ParseDuration(" 3 s "), milliseconds(3000));
  EXPECT_EQ(ParseDuration("7"), milliseconds(7000));
  EXPECT_EQ(ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDuration, RefusesJunkNegativesAndHugeValues) {
  for (const char* text :
       {"", "s", "ten seconds", "-1s", "5x", "1.s", ".5s", "1e3s", "9999999h", "367d"}) {
    EXPECT_FALSE(ParseDuration(text).has_value()) << text;
  }
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  for (int64_t ms : {0, 1, 500, 1000, 1500, 1250, 60'000, 90'000, 3'600'000}) {
    std::string text = FormatDuration(milliseconds(ms));
    EXPECT_EQ(ParseDuration(text), milliseconds(ms)) << text;
  }
  EXPECT_EQ(FormatDuration(milliseconds(10'000)), "10s");
  EXPECT_EQ(FormatDuration(milliseconds(1250)), "1.25s");
  EXPECT_EQ(FormatDuration(milliseconds(250)), "250ms");
}

}  // namespace
}  // namespace peerlock
