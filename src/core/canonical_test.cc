#include "core/canonical.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/key_range.h"

namespace peerlock {
namespace {

ValueView Int(int64_t i) { return ValueView{.kind = ValueKind::kInt, .i = i}; }
ValueView Float(double f) { return ValueView{.kind = ValueKind::kFloat, .f = f}; }
ValueView Text(std::string_view s) { return ValueView{.kind = ValueKind::kText, .s = s}; }

TEST(Canonical, IntegersAndFloats) {
  EXPECT_EQ(Canonical(MakeType(TypeKind::kInt), Int(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kFloat64), Float(0.1 + 0.2)), "0.30000000000000004");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kFloat64), Float(5e-324)), "5e-324");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kFloat64), Float(-0.0)), "0");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kFloat64), Float(NAN)), "NaN");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kFloat32), Float(static_cast<float>(0.1))), "0.1");
}

TEST(Canonical, Decimals) {
  EXPECT_EQ(CanonicalDecimalText("12.50"), "12.5");
  EXPECT_EQ(CanonicalDecimalText("1E+3"), "1000");
  EXPECT_EQ(CanonicalDecimalText("-0.00"), "0");
  EXPECT_EQ(CanonicalDecimalText("0012.000"), "12");
  EXPECT_EQ(CanonicalDecimalText("1.5e-3"), "0.0015");
  EXPECT_EQ(CanonicalDecimalText("abc"), "abc");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kDecimal), Float(12.5)), "12.5");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kDecimal), Float(1e20)), "100000000000000000000");
}

TEST(Canonical, BoolJsonAndOffTypeValues) {
  EXPECT_EQ(Canonical(MakeType(TypeKind::kBool), Int(1)), "t");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kBool), Int(2)), "2");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kJson), Text(R"({"b":1, "a":[1,2.0]})")),
            R"({"a":[1,2],"b":1})");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kInt), Text("abc")), "abc");
}

TEST(RowHash, NullDiffersFromEmptyAndTextNull) {
  RowBatch b(1);
  b.AddNull();
  b.AddText("");
  b.AddText("NULL");
  std::vector<LogicalType> types = {MakeType(TypeKind::kText)};
  std::string scratch;
  RowHash h0 = HashRow(b, 0, types, scratch), h1 = HashRow(b, 1, types, scratch),
          h2 = HashRow(b, 2, types, scratch);
  EXPECT_NE(h0, h1);
  EXPECT_NE(h1, h2);
  EXPECT_NE(h0, h2);
}

TEST(RowHash, FieldBoundariesMatter) {
  RowBatch b(2);
  b.AddText("ab");
  b.AddText("c");
  b.AddText("a");
  b.AddText("bc");
  std::vector<LogicalType> types(2, MakeType(TypeKind::kText));
  std::string scratch;
  EXPECT_NE(HashRow(b, 0, types, scratch), HashRow(b, 1, types, scratch));
}

TEST(Digest, OrderIndependentAdditiveAndRoundTrips) {
  Digest a, b;
  a.Add(1);
  a.Add(~RowHash{0});
  b.Add(~RowHash{0});
  b.Add(1);
  EXPECT_EQ(a, b);
  Digest parsed;
  ASSERT_TRUE(Digest::Parse(a.ToString(), parsed));
  EXPECT_EQ(parsed, a);
  Digest dup;
  dup.Add(5);
  dup.Add(5);
  Digest single;
  single.Add(5);
  EXPECT_NE(dup, single);
  EXPECT_FALSE(Digest::Parse("3:xyz", parsed));
}

TEST(KeyRange, EncodesEveryKindExactly) {
  KeyTuple key = {OwnedValue{.kind = ValueKind::kInt, .i = INT64_MIN},
                  OwnedValue{.kind = ValueKind::kText, .s = std::string("a\0\"b", 4)},
                  OwnedValue{.kind = ValueKind::kBytes, .s = "\xff\x00"},
                  OwnedValue{.kind = ValueKind::kFloat, .f = 0.1}, OwnedValue{}};
  KeyRange range{key, std::nullopt};
  auto decoded = DecodeKeyRange(EncodeKeyRange(range));
  ASSERT_TRUE(decoded.has_value());
  ASSERT_TRUE(decoded->lower.has_value());
  EXPECT_EQ(*decoded->lower, key);
  EXPECT_FALSE(decoded->upper.has_value());
  EXPECT_FALSE(DecodeKeyTuple(R"([{"q":"1"}])").has_value());
}

}  // namespace
}  // namespace peerlock
