#include "connectors/postgres/postgres_copy_binary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>

namespace peerlock {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// The field (length + bytes, hex) one value becomes as `type`, or "declined".
std::string Field(PgBinaryType type, const std::function<void(RowBatch&)>& add) {
  RowBatch batch(1);
  add(batch);
  std::string out = "kept";
  if (!EncodeBinaryCopyRow(batch, 0, {type}, out)) return out == "kept" ? "declined" : "dirty";
  EXPECT_EQ(out.substr(0, 6), "kept" + std::string("\x00\x01", 2));  // one field follows
  return Hex(out.substr(6));
}
std::string Text(PgBinaryType type, std::string_view s) {
  return Field(type, [&](RowBatch& b) { b.AddText(s); });
}
std::string Int(PgBinaryType type, int64_t v) {
  return Field(type, [&](RowBatch& b) { b.AddInt(v); });
}
std::string Float(PgBinaryType type, double v) {
  return Field(type, [&](RowBatch& b) { b.AddFloat(v); });
}

TEST(PostgresCopyBinary, HeaderAndTrailerAreTheFormatsOwn) {
  std::string out;
  AppendBinaryCopyHeader(out);
  AppendBinaryCopyTrailer(out);
  EXPECT_EQ(Hex(out),
            "5047434f50590aff0d0a00"
            "00000000"
            "00000000"
            "ffff");
}

TEST(PostgresCopyBinary, IntegersInTheirWidthNullAsMinusOne) {
  EXPECT_EQ(Int(PgBinaryType::kInt8, 1),
            "00000008"
            "0000000000000001");
  EXPECT_EQ(Int(PgBinaryType::kInt4, -2),
            "00000004"
            "fffffffe");
  EXPECT_EQ(Int(PgBinaryType::kInt2, 32767),
            "00000002"
            "7fff");
  EXPECT_EQ(Text(PgBinaryType::kInt8, "-42"),
            "00000008"
            "ffffffffffffffd6");
  EXPECT_EQ(Field(PgBinaryType::kInt8, [](RowBatch& b) { b.AddNull(); }), "ffffffff");
  // Out of the column's range, or text PostgreSQL reads more loosely: COPY text decides.
  EXPECT_EQ(Int(PgBinaryType::kInt2, 32768), "declined");
  EXPECT_EQ(Int(PgBinaryType::kInt4, int64_t{1} << 31), "declined");
  EXPECT_EQ(Text(PgBinaryType::kInt8, "+5"), "declined");
  EXPECT_EQ(Text(PgBinaryType::kInt8, " 5"), "declined");
  EXPECT_EQ(Text(PgBinaryType::kInt8, "5.0"), "declined");
  EXPECT_EQ(Float(PgBinaryType::kInt8, 5), "declined");
}

TEST(PostgresCopyBinary, NumericsAsBase10000Digits) {
  // ndigits, weight, sign, dscale, then the digits.
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "123.45"),
            "0000000c"
            "0002000000000002"
            "007b"
            "1194");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "-0.001"),
            "0000000a"
            "0001ffff40000003"
            "000a");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "10000"),
            "0000000a"
            "0001000100000000"
            "0001");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "00012345678.90"),
            "0000000e"
            "0003000100000002"
            "04d2"
            "162e"
            "2328");  // 1234 5678 . 9000
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "-0.00"),
            "00000008"
            "0000000000000002");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "NaN"),
            "00000008"
            "00000000c0000000");
  EXPECT_EQ(Int(PgBinaryType::kNumeric, -7),
            "0000000a"
            "0001000040000000"
            "0007");
  EXPECT_EQ(Float(PgBinaryType::kNumeric, 67.4),
            "0000000c"
            "0002000000000001"
            "0043"
            "0fa0");
  // Forms numeric_in reads but this encoder does not write.
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "1e5"), "declined");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, ".5"), "declined");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "5."), "declined");
  EXPECT_EQ(Text(PgBinaryType::kNumeric, "Infinity"), "declined");
  EXPECT_EQ(Float(PgBinaryType::kNumeric, 1e20), "declined");  // "1e+20"
  EXPECT_EQ(Float(PgBinaryType::kNumeric, INFINITY), "declined");
}

TEST(PostgresCopyBinary, DatesAndTimestampsFromPostgresEpoch) {
  EXPECT_EQ(Text(PgBinaryType::kDate, "2000-01-02"),
            "00000004"
            "00000001");
  EXPECT_EQ(Text(PgBinaryType::kDate, "1999-12-31"),
            "00000004"
            "ffffffff");
  EXPECT_EQ(Text(PgBinaryType::kTimestamp, "2000-01-01 00:00:01.5"),
            "00000008"
            "000000000016e360");
  EXPECT_EQ(Text(PgBinaryType::kTimestamp, "2000-01-01T00:00:00.000001"),
            "00000008"
            "0000000000000001");
  EXPECT_EQ(Text(PgBinaryType::kTimestamptz, "2000-01-01 01:30:00+01:30"),
            "00000008"
            "0000000000000000");
  EXPECT_EQ(Text(PgBinaryType::kTimestamptz, "1999-12-31 23:00:00-01"),
            "00000008"
            "0000000000000000");
  EXPECT_EQ(Text(PgBinaryType::kTimestamptz, "2000-01-01 00:00:00Z"),
            "00000008"
            "0000000000000000");
  EXPECT_EQ(Text(PgBinaryType::kTimestamptz, "2000-01-01 00:00:00"),
            "00000008"
            "0000000000000000");
  // 2024-02-29 12:00 is 8825.5 days after the epoch.
  EXPECT_EQ(Text(PgBinaryType::kTimestamp, "2024-02-29 12:00:00"),
            "00000008"
            "0002b582c4781000");
  // What PostgreSQL reads differently, rounds, rolls over or refuses: COPY text decides.
  for (const char* s : {"2023-02-29 00:00:00", "2020-01-01", "2020-01-01 24:00:00",
                        "2020-01-01 23:59:60", "2020-01-01 00:00:00.1234567", "0000-01-01 00:00:00",
                        "2020-1-01 00:00:00", "2020-01-01 00:00:00 BC", "infinity"})
    EXPECT_EQ(Text(PgBinaryType::kTimestamptz, s), "declined") << s;
  EXPECT_EQ(Text(PgBinaryType::kTimestamp, "2020-01-01 00:00:00+02"), "declined");
  EXPECT_EQ(Text(PgBinaryType::kTimestamptz, "2020-01-01 00:00:00+0200"), "declined");
  EXPECT_EQ(Text(PgBinaryType::kDate, "2020-13-01"), "declined");
}

TEST(PostgresCopyBinary, TextBytesJsonbBoolFloatUuid) {
  EXPECT_EQ(Text(PgBinaryType::kText, "añ"),
            "00000003"
            "61c3b1");
  EXPECT_EQ(Int(PgBinaryType::kText, -12),
            "00000003"
            "2d3132");
  EXPECT_EQ(Field(PgBinaryType::kBytea, [](RowBatch& b) { b.AddBytes(std::string("\0\xff", 2)); }),
            "00000002"
            "00ff");
  EXPECT_EQ(Text(PgBinaryType::kJsonb, "{}"),
            "00000003"
            "017b7d");
  EXPECT_EQ(Int(PgBinaryType::kBool, 1),
            "00000001"
            "01");
  EXPECT_EQ(Text(PgBinaryType::kBool, "f"),
            "00000001"
            "00");
  EXPECT_EQ(Float(PgBinaryType::kFloat8, 1.0),
            "00000008"
            "3ff0000000000000");
  // Any NaN (a payload, a sign) is stored as float8in stores "NaN".
  double odd_nan = 0;
  const uint64_t odd_bits = 0xfff0000000000001ULL;
  std::memcpy(&odd_nan, &odd_bits, sizeof odd_nan);
  EXPECT_EQ(Float(PgBinaryType::kFloat8, odd_nan), "000000087ff8000000000000");
  EXPECT_EQ(Text(PgBinaryType::kUuid, "0123abcd-0000-4000-8000-00000000FFFF"),
            "00000010"
            "0123abcd000040008000"
            "00000000ffff");
  // A NUL in text is COPY text's error to report; other kinds are its to convert.
  EXPECT_EQ(Text(PgBinaryType::kText, std::string("a\0b", 3)), "declined");
  EXPECT_EQ(Text(PgBinaryType::kJsonb, std::string("\0", 1)), "declined");
  EXPECT_EQ(Int(PgBinaryType::kBool, 2), "declined");
  EXPECT_EQ(Text(PgBinaryType::kBool, "yes"), "declined");
  EXPECT_EQ(Float(PgBinaryType::kText, 1.5), "declined");
  EXPECT_EQ(Text(PgBinaryType::kFloat8, "1.5"), "declined");
  EXPECT_EQ(Int(PgBinaryType::kBytea, 1), "declined");
  EXPECT_EQ(Text(PgBinaryType::kUuid, "0123abcd00004000800000000000ffff"), "declined");
}

TEST(PostgresCopyBinary, ADeclinedRowLeavesTheBufferAsItWas) {
  RowBatch batch(3);
  batch.AddInt(1);
  batch.AddText("2020-01-01 00:00:00");
  batch.AddText("not a number");
  std::string out = "before";
  EXPECT_FALSE(EncodeBinaryCopyRow(
      batch, 0, {PgBinaryType::kInt8, PgBinaryType::kTimestamp, PgBinaryType::kNumeric}, out));
  EXPECT_EQ(out, "before");
}

TEST(PostgresCopyBinary, TypesByTheirFormatTypeName) {
  EXPECT_EQ(PgBinaryTypeFor("numeric(12,2)"), PgBinaryType::kNumeric);
  EXPECT_EQ(PgBinaryTypeFor("numeric"), PgBinaryType::kNumeric);
  EXPECT_EQ(PgBinaryTypeFor("timestamp(3) with time zone"), PgBinaryType::kTimestamptz);
  EXPECT_EQ(PgBinaryTypeFor("timestamp without time zone"), PgBinaryType::kTimestamp);
  EXPECT_EQ(PgBinaryTypeFor("character varying(20)"), PgBinaryType::kText);
  EXPECT_EQ(PgBinaryTypeFor("character(3)"), PgBinaryType::kText);
  EXPECT_EQ(PgBinaryTypeFor("json"), PgBinaryType::kText);
  EXPECT_EQ(PgBinaryTypeFor("jsonb"), PgBinaryType::kJsonb);
  for (const char* t :
       {"text[]", "character varying(20)[]", "numeric(12,2)[]", "timestamp with time zone[]",
        "interval", "time without time zone", "real", "inet", "mood", "public.email"})
    EXPECT_EQ(PgBinaryTypeFor(t), std::nullopt) << t;
}

}  // namespace
}  // namespace peerlock
