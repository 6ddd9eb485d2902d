#include "base/strings.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(GlobMatch, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("*", "orders"));
  EXPECT_TRUE(GlobMatch("order_*", "order_items"));
  EXPECT_FALSE(GlobMatch("order_*", "orders"));
  EXPECT_TRUE(GlobMatch("t?st", "test"));
  EXPECT_TRUE(GlobMatch("*_log*", "audit_log_2024"));
  EXPECT_FALSE(GlobMatch("a*b", "acd"));
}

TEST(ClosestMatch, SuggestsTyposOnly) {
  std::vector<std::string> keys = {"include", "exclude", "transform"};
  EXPECT_EQ(ClosestMatch("inclde", keys).value_or(""), "include");
  EXPECT_EQ(ClosestMatch("transfrom", keys).value_or(""), "transform");
  EXPECT_FALSE(ClosestMatch("zzzzzzzz", keys).has_value());
}

TEST(Hex, RoundTripsBytesWithNul) {
  std::string bytes("a\0\xff", 3);
  EXPECT_EQ(HexEncode(bytes), "6100ff");
  EXPECT_EQ(HexDecode("6100ff").value(), bytes);
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(ParseInt64, RejectsJunkAndOverflow) {
  EXPECT_EQ(ParseInt64("-9223372036854775808").value(), INT64_MIN);
  EXPECT_FALSE(ParseInt64("9223372036854775808").has_value());
  EXPECT_FALSE(ParseInt64("12x").has_value());
  EXPECT_FALSE(ParseInt64("").has_value());
}

TEST(ParseByteSize, ReadsUnitsAndRejectsJunk) {
  EXPECT_EQ(ParseByteSize("8GB").value(), 8LL << 30);
  EXPECT_EQ(ParseByteSize(" 500 mb ").value(), 500LL << 20);
  EXPECT_EQ(ParseByteSize("2GiB").value(), 2LL << 30);
  EXPECT_EQ(ParseByteSize("1024").value(), 1024);
  EXPECT_FALSE(ParseByteSize("8 parsecs").has_value());
  EXPECT_FALSE(ParseByteSize("GB").has_value());
  EXPECT_FALSE(ParseByteSize("9000000000TB").has_value());
}

}  // namespace
}  // namespace peerlock
