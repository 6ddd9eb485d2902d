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

// Canonical(type, text) and checks that the canonical form is a fixed point: every canonical
// form parses back to itself, so a value that does not parse (rendered by storage) can never
// collide with one that does.
std::string C(TypeKind kind, std::string_view text) {
  std::string once = Canonical(MakeType(kind), Text(text));
  EXPECT_EQ(Canonical(MakeType(kind), Text(once)), once) << "not idempotent: " << text;
  return once;
}

TEST(CanonicalBool, FromTextEverySpelling) {
  for (const char* t : {"t", "T", "true", "TRUE", "True", "1", "yes", "YES", "y", "on", "On"})
    EXPECT_EQ(C(TypeKind::kBool, t), "t") << t;
  for (const char* f : {"f", "F", "false", "FALSE", "0", "no", "No", "n", "off", "OFF"})
    EXPECT_EQ(C(TypeKind::kBool, f), "f") << f;
  EXPECT_EQ(Canonical(MakeType(TypeKind::kBool), Int(0)), "f");
  // Not a boolean: by storage, unchanged.
  for (const char* other : {"", "2", "-1", "tru", "truee", " t", "t ", "yess", "of", "onn", "01"})
    EXPECT_EQ(C(TypeKind::kBool, other), other) << other;
}

TEST(CanonicalInt, FromTextAnyWidth) {
  EXPECT_EQ(C(TypeKind::kInt, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(C(TypeKind::kInt, "+5"), "5");
  EXPECT_EQ(C(TypeKind::kInt, "007"), "7");
  EXPECT_EQ(C(TypeKind::kInt, "-007"), "-7");
  EXPECT_EQ(C(TypeKind::kInt, "-0"), "0");
  EXPECT_EQ(C(TypeKind::kInt, "+000"), "0");
  EXPECT_EQ(C(TypeKind::kInt, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(C(TypeKind::kInt, "-123456789012345678901234567890"),
            "-123456789012345678901234567890");
  EXPECT_EQ(C(TypeKind::kInt, "42"), Canonical(MakeType(TypeKind::kInt), Int(42)));
  for (const char* junk : {"", "+", "-", "--5", "+-5", "1.0", "1e3", " 5", "5 ", "0x10", "١"})
    EXPECT_EQ(C(TypeKind::kInt, junk), junk) << junk;
}

TEST(CanonicalFloat, FromTextAsPostgresPrintsIt) {
  EXPECT_EQ(C(TypeKind::kFloat64, "NaN"), "NaN");
  EXPECT_EQ(C(TypeKind::kFloat64, "Infinity"), "Infinity");
  EXPECT_EQ(C(TypeKind::kFloat64, "-Infinity"), "-Infinity");
  EXPECT_EQ(C(TypeKind::kFloat64, "1e-05"), "1e-05");
  EXPECT_EQ(C(TypeKind::kFloat64, "1.5e+300"), "1.5e+300");
  EXPECT_EQ(C(TypeKind::kFloat64, "0.30000000000000004"), "0.30000000000000004");
  EXPECT_EQ(C(TypeKind::kFloat64, "-0"), "0");
  EXPECT_EQ(C(TypeKind::kFloat64, "+1.5"), "1.5");
  EXPECT_EQ(C(TypeKind::kFloat64, "4.9406564584124654e-324"), "5e-324");
  // Every spelling of the same double renders as the double itself does.
  for (const char* s : {"1e-05", "1E-5", "0.00001", "+0.0000100", "1.0e-5"})
    EXPECT_EQ(C(TypeKind::kFloat64, s), Canonical(MakeType(TypeKind::kFloat64), Float(1e-05))) << s;
  // float32: narrowed first, so a widened copy in a double column still compares equal.
  EXPECT_EQ(C(TypeKind::kFloat32, "0.1"), "0.1");
  EXPECT_EQ(C(TypeKind::kFloat32, "0.10000000149011612"), "0.1");
  EXPECT_EQ(C(TypeKind::kFloat32, "3.4028235e+38"), "3.4028235e+38");
  EXPECT_EQ(C(TypeKind::kFloat32, "-Infinity"), "-Infinity");
  EXPECT_EQ(C(TypeKind::kFloat32, "1e39"), "Infinity");
  EXPECT_EQ(C(TypeKind::kFloat32, "-1e39"), "-Infinity");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kFloat32), Float(1e300)), "Infinity");
  for (const char* junk : {"", "abc", "1e400", "1.5x", "+-1", "++1", "+", " 1", "1 ", "0x1p3"})
    EXPECT_EQ(C(TypeKind::kFloat64, junk), junk) << junk;
}

TEST(CanonicalDecimal, TextForms) {
  EXPECT_EQ(C(TypeKind::kDecimal, "NaN"), "NaN");
  EXPECT_EQ(C(TypeKind::kDecimal, "nan"), "NaN");
  EXPECT_EQ(C(TypeKind::kDecimal, "Infinity"), "Infinity");
  EXPECT_EQ(C(TypeKind::kDecimal, "+Infinity"), "Infinity");
  EXPECT_EQ(C(TypeKind::kDecimal, "-Infinity"), "-Infinity");
  EXPECT_EQ(C(TypeKind::kDecimal, "-inf"), "-Infinity");
  EXPECT_EQ(C(TypeKind::kDecimal, "-0.00"), "0");
  EXPECT_EQ(C(TypeKind::kDecimal, "+0"), "0");
  EXPECT_EQ(C(TypeKind::kDecimal, "0.000e5"), "0");
  EXPECT_EQ(C(TypeKind::kDecimal, ".5"), "0.5");
  EXPECT_EQ(C(TypeKind::kDecimal, "-.5"), "-0.5");
  EXPECT_EQ(C(TypeKind::kDecimal, "5."), "5");
  EXPECT_EQ(C(TypeKind::kDecimal, "0.05"), "0.05");
  EXPECT_EQ(C(TypeKind::kDecimal, "100"), "100");
  EXPECT_EQ(C(TypeKind::kDecimal, "1000.0"), "1000");
  EXPECT_EQ(C(TypeKind::kDecimal, "123.4500e2"), "12345");
  EXPECT_EQ(C(TypeKind::kDecimal, "12.5e1"), "125");
  EXPECT_EQ(C(TypeKind::kDecimal, "-1.5E-2"), "-0.015");
  EXPECT_EQ(C(TypeKind::kDecimal, "+12.50"), "12.5");
  EXPECT_EQ(C(TypeKind::kDecimal, "99999999999999999999.000000000000000001"),
            "99999999999999999999.000000000000000001");
  for (const char* junk : {"", ".", "-", "+", "1.2.3", "1e", "1e+", "1e-", "e5", "1e5.0", "1 ", "x",
                           "1e100001", "--1", "0x10"})
    EXPECT_EQ(C(TypeKind::kDecimal, junk), junk) << junk;
  EXPECT_EQ(CanonicalDecimalText("1e100001"), "1e100001");
  EXPECT_EQ(CanonicalDecimalText("1e-100000").size(), 100002u);  // "0." 99999 zeros "1"
}

TEST(CanonicalDate, IsoBcAndInfinity) {
  EXPECT_EQ(C(TypeKind::kDate, "2024-01-15"), "2024-01-15");
  EXPECT_EQ(C(TypeKind::kDate, "0044-03-15 BC"), "-0043-03-15");
  EXPECT_EQ(C(TypeKind::kDate, "0001-01-01 BC"), "0000-01-01");
  EXPECT_EQ(C(TypeKind::kDate, "4713-11-24 BC"), "-4712-11-24");
  EXPECT_EQ(C(TypeKind::kDate, "10000-01-01"), "10000-01-01");
  EXPECT_EQ(C(TypeKind::kDate, "02024-01-15"), "2024-01-15");
  EXPECT_EQ(C(TypeKind::kDate, "infinity"), "infinity");
  EXPECT_EQ(C(TypeKind::kDate, "+infinity"), "infinity");
  EXPECT_EQ(C(TypeKind::kDate, "-infinity"), "-infinity");
  // Leap years, proleptic Gregorian; BC years are leap when the astronomical year is.
  EXPECT_EQ(C(TypeKind::kDate, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(C(TypeKind::kDate, "2000-02-29"), "2000-02-29");
  EXPECT_EQ(C(TypeKind::kDate, "0001-02-29 BC"), "0000-02-29");
  EXPECT_EQ(C(TypeKind::kDate, "0005-02-29 BC"), "-0004-02-29");
  for (const char* junk : {"2023-02-29",
                           "1900-02-29",
                           "0002-02-29 BC",
                           "2024-04-31",
                           "2024-13-01",
                           "2024-00-10",
                           "2024-01-00",
                           "0000-00-00",
                           "0000-01-01 BC",
                           "-0044-03-15 BC",
                           "24-01-15",
                           "2024-1-15",
                           "2024/01/15",
                           "2024-01-15 00:00:00",
                           "2024-01-15T00:00",
                           "2024-01-15 bc",
                           "2024-01-15 AD",
                           " 2024-01-15",
                           "2024-01-15 ",
                           "Infinity",
                           "",
                           "1234567890-01-01"})
    EXPECT_EQ(C(TypeKind::kDate, junk), junk) << junk;
}

TEST(CanonicalTime, FractionTrimmed) {
  EXPECT_EQ(C(TypeKind::kTime, "23:59:59.900000"), "23:59:59.9");
  EXPECT_EQ(C(TypeKind::kTime, "10:00:00.000"), "10:00:00");
  EXPECT_EQ(C(TypeKind::kTime, "10:00:00"), "10:00:00");
  EXPECT_EQ(C(TypeKind::kTime, "10:00"), "10:00:00");
  EXPECT_EQ(C(TypeKind::kTime, "00:00:00.000001"), "00:00:00.000001");
  EXPECT_EQ(C(TypeKind::kTime, "12:34:56.123456789"), "12:34:56.123456789");
  EXPECT_EQ(C(TypeKind::kTime, "24:00:00"), "24:00:00");  // PostgreSQL's end of day
  EXPECT_EQ(C(TypeKind::kTime, "24:00:00.000"), "24:00:00");
  // Durations are intervals; zones, leap seconds and loose spellings render by storage.
  for (const char* junk : {"24:00:01", "24:00:00.1", "25:00:00", "838:59:59", "-01:00:00",
                           "10:60:00", "10:00:60", "10:00:00.", "1:00:00", "10:0:00", "10",
                           "10:00:00+02", "10:00:00Z", "10:00:00 ", "", "T10:00:00"})
    EXPECT_EQ(C(TypeKind::kTime, junk), junk) << junk;
}

TEST(CanonicalTimestamp, NaiveNeverShifted) {
  EXPECT_EQ(C(TypeKind::kTimestamp, "2024-01-15 10:00:00"), "2024-01-15 10:00:00");
  EXPECT_EQ(C(TypeKind::kTimestamp, "2024-01-15T10:00:00.500"), "2024-01-15 10:00:00.5");
  EXPECT_EQ(C(TypeKind::kTimestamp, "2024-01-15 10:00:00.000000"), "2024-01-15 10:00:00");
  EXPECT_EQ(C(TypeKind::kTimestamp, "2024-01-15 10:00"), "2024-01-15 10:00:00");
  EXPECT_EQ(C(TypeKind::kTimestamp, "2024-01-15"), "2024-01-15 00:00:00");
  EXPECT_EQ(C(TypeKind::kTimestamp, "0044-03-15 12:00:00 BC"), "-0043-03-15 12:00:00");
  EXPECT_EQ(C(TypeKind::kTimestamp, "0044-03-15 BC"), "-0043-03-15 00:00:00");
  EXPECT_EQ(C(TypeKind::kTimestamp, "infinity"), "infinity");
  EXPECT_EQ(C(TypeKind::kTimestamp, "-infinity"), "-infinity");
  for (const char* junk :
       {"2024-01-15 10:00:00Z", "2024-01-15 10:00:00+02", "2024-01-15 24:00:00",
        "0000-00-00 00:00:00", "2024-01-15  10:00:00", "2024-01-15t10:00:00", "2024-01-15 10",
        "2024-02-30 10:00:00", "2024-01-15 10:00:00 BC AD", "2024-01-15 10:00:00 ", ""})
    EXPECT_EQ(C(TypeKind::kTimestamp, junk), junk) << junk;
}

TEST(CanonicalTimestampTz, EverySpellingOfOneInstantIsUtc) {
  for (const char* s :
       {"2024-01-15 04:30:00Z", "2024-01-15 04:30:00", "2024-01-15 04:30:00+00",
        "2024-01-15 04:30:00-00", "2024-01-15T04:30:00Z", "2024-01-15T04:30:00z",
        "2024-01-15 06:30:00+02", "2024-01-15 06:30:00+0200", "2024-01-15 06:30:00+02:00",
        "2024-01-15 10:00:00+05:30", "2024-01-15T10:00:00+0530", "2024-01-15 01:29:45-03:00:15",
        "2024-01-15 01:29:45-030015", "2024-01-15 04:30:00.000000+00", "2024-01-14 23:30:00-05",
        "2024-01-15 04:30+00:00"})
    EXPECT_EQ(C(TypeKind::kTimestampTz, s), "2024-01-15 04:30:00Z") << s;
}

TEST(CanonicalTimestampTz, CalendarBoundaries) {
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2024-01-01 01:00:00+02"), "2023-12-31 23:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2023-12-31 23:00:00-02"), "2024-01-01 01:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2024-03-01 00:30:00+01"), "2024-02-29 23:30:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2023-03-01 00:30:00+01"), "2023-02-28 23:30:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2024-02-28 23:00:00-02"), "2024-02-29 01:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2000-02-28 23:00:00-02"), "2000-02-29 01:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "1900-02-28 23:00:00-02"), "1900-03-01 01:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2024-04-30 22:00:00-03"), "2024-05-01 01:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "9999-12-31 23:00:00-15:59:59"), "10000-01-01 14:59:59Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "1970-01-01 00:00:00+00:00:01"), "1969-12-31 23:59:59Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2024-01-15 06:30:00.123400+02"),
            "2024-01-15 04:30:00.1234Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "2024-01-15"), "2024-01-15 00:00:00Z");
  // BC follows the offset in PostgreSQL's output; year 1 BC is year 0.
  EXPECT_EQ(C(TypeKind::kTimestampTz, "0044-03-15 12:00:00+00 BC"), "-0043-03-15 12:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "0001-01-01 01:00:00+02 BC"), "-0001-12-31 23:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "0001-01-01 00:30:00+01"), "0000-12-31 23:30:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "0001-12-31 23:30:00-01 BC"), "0001-01-01 00:30:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "0001-03-01 00:00:00+01 BC"), "0000-02-29 23:00:00Z");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "infinity"), "infinity");
  EXPECT_EQ(C(TypeKind::kTimestampTz, "-infinity"), "-infinity");
  for (const char* junk :
       {"2024-01-15 06:30:00+16", "2024-01-15 06:30:00+05:60", "2024-01-15 06:30:00+02:00:60",
        "2024-01-15 06:30:00 +02", "2024-01-15 06:30:00+2", "2024-01-15 06:30:00+02:3",
        "2024-01-15 06:30:00+023", "2024-01-15 06:30:00+02:0000", "2024-01-15 06:30:00UTC",
        "2024-01-15 06:30:00+02 AD", "2024-01-15 06:30:00+02Z", "2024-01-15+02",
        "2024-01-15 24:00:00+00", "2024-02-30 06:30:00+02", "2024-01-15 06:30:00+", ""})
    EXPECT_EQ(C(TypeKind::kTimestampTz, junk), junk) << junk;
}

TEST(CanonicalInterval, PostgresStyle) {
  EXPECT_EQ(C(TypeKind::kInterval, "1 mon 2 days 03:04:05.000006"), "P1M2DT11045.000006S");
  EXPECT_EQ(C(TypeKind::kInterval, "1 year 2 mons 3 days 04:05:06.000007"), "P14M3DT14706.000007S");
  EXPECT_EQ(C(TypeKind::kInterval, "-1 days +02:00:00"), "P0M-1DT7200S");
  EXPECT_EQ(C(TypeKind::kInterval, "00:00:00"), "P0M0DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "-00:00:00"), "P0M0DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "3 days"), "P0M3DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "1 day"), "P0M1DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "1 year"), "P12M0DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "-00:00:01.5"), "P0M0DT-1.5S");
  EXPECT_EQ(C(TypeKind::kInterval, "-1 years -2 mons +3 days -04:05:06"), "P-14M3DT-14706S");
  EXPECT_EQ(C(TypeKind::kInterval, "100:00:00"), "P0M0DT360000S");
  EXPECT_EQ(C(TypeKind::kInterval, "00:00:00.1234567890"), "P0M0DT0.123456789S");
  EXPECT_EQ(C(TypeKind::kInterval, "178956970 years 7 mons"), "P2147483647M0DT0S");
  // MySQL TIME beyond a day.
  EXPECT_EQ(C(TypeKind::kInterval, "838:59:59"), "P0M0DT3020399S");
  EXPECT_EQ(C(TypeKind::kInterval, "-838:59:59.000000"), "P0M0DT-3020399S");
  EXPECT_EQ(C(TypeKind::kInterval, "-12:00:00"), "P0M0DT-43200S");
  for (const char* junk : {"",
                           "1",
                           "1 week",
                           "2 mons 1 year",
                           "1 day 1 day",
                           "1 days 25:00",
                           "1 year 00:60:00",
                           "00:00:60",
                           "00:00:00.",
                           "@ 1 year",
                           "1 year ago",
                           "1  year",
                           "1 year ",
                           " 1 year",
                           "1.5 years",
                           "00:00:00 1 day",
                           "00:00:00.1234567891",
                           "9999999999999999999 years",
                           "999999999999999999 years",
                           "999999999999999999:00:00",
                           "- 1 day",
                           "1 Year"})
    EXPECT_EQ(C(TypeKind::kInterval, junk), junk) << junk;
}

TEST(CanonicalInterval, Iso8601) {
  EXPECT_EQ(C(TypeKind::kInterval, "P1M2DT11045.000006S"), "P1M2DT11045.000006S");
  EXPECT_EQ(C(TypeKind::kInterval, "P1Y2M3DT4H5M6.000007S"), "P14M3DT14706.000007S");
  EXPECT_EQ(C(TypeKind::kInterval, "PT0S"), "P0M0DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "P2W"), "P0M14DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "P-1Y-2M"), "P-14M0DT0S");
  EXPECT_EQ(C(TypeKind::kInterval, "P0M0DT-1.5S"), "P0M0DT-1.5S");
  EXPECT_EQ(C(TypeKind::kInterval, "PT-4H5M"), "P0M0DT-14100S");
  EXPECT_EQ(C(TypeKind::kInterval, "PT1H-0.5S"), "P0M0DT3599.5S");
  EXPECT_EQ(C(TypeKind::kInterval, "PT-1H0.25S"), "P0M0DT-3599.75S");
  EXPECT_EQ(C(TypeKind::kInterval, "PT-0.5S"), "P0M0DT-0.5S");
  for (const char* junk : {"P", "PT", "P1DT", "P1S", "PT1D", "P1.5Y", "P1M1Y", "P1Y1Y", "PT1S1M",
                           "P1", "PTT1S", "p1D", "P1D ", "PT1.S"})
    EXPECT_EQ(C(TypeKind::kInterval, junk), junk) << junk;
}

TEST(CanonicalInterval, DialectsAgree) {
  // PostgreSQL, MySQL TIME and ISO spellings of the same duration.
  std::string pg = C(TypeKind::kInterval, "838:59:59");
  EXPECT_EQ(C(TypeKind::kInterval, "PT838H59M59S"), pg);
  EXPECT_EQ(C(TypeKind::kInterval, "PT3020399S"), pg);
  EXPECT_EQ(C(TypeKind::kInterval, "P0M0DT3020399S"), pg);
  // Days and hours stay apart, as PostgreSQL keeps them.
  EXPECT_NE(C(TypeKind::kInterval, "1 day"), C(TypeKind::kInterval, "24:00:00"));
}

TEST(CanonicalUuidAndBits, Text) {
  const std::string lower = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
  EXPECT_EQ(C(TypeKind::kUuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), lower);
  EXPECT_EQ(C(TypeKind::kUuid, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"), lower);
  EXPECT_EQ(C(TypeKind::kUuid, "A0EEBC999C0B4EF8BB6D6BB9BD380A11"), lower);
  for (const char* junk :
       {"ABC", "", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11",
        "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 "})
    EXPECT_EQ(C(TypeKind::kUuid, junk), junk) << junk;
  EXPECT_EQ(C(TypeKind::kBits, "0101"), "0101");
  EXPECT_EQ(C(TypeKind::kBits, "0000000000001000"), "0000000000001000");
}

TEST(CanonicalHash, SpellingsFromEachDialectHashEqual) {
  std::vector<LogicalType> types = {
      MakeType(TypeKind::kInt),         MakeType(TypeKind::kBool),
      MakeType(TypeKind::kDecimal),     MakeType(TypeKind::kFloat64),
      MakeType(TypeKind::kFloat32),     MakeType(TypeKind::kDate),
      MakeType(TypeKind::kTime),        MakeType(TypeKind::kTimestamp),
      MakeType(TypeKind::kTimestampTz), MakeType(TypeKind::kInterval),
      MakeType(TypeKind::kUuid)};
  RowBatch b(static_cast<int>(types.size()));
  // PostgreSQL text output.
  b.AddText("18446744073709551615");
  b.AddText("t");
  b.AddText("12.50");
  b.AddText("1e-05");
  b.AddText("0.1");
  b.AddText("0044-03-15 BC");
  b.AddText("23:59:59.900000");
  b.AddText("2024-01-15 10:00:00.500000");
  b.AddText("2024-01-15 06:30:00+02");
  b.AddText("1 mon 2 days 03:04:05.000006");
  b.AddText("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  // MariaDB: booleans and floats as numbers, TIMESTAMP in UTC without an offset.
  b.AddText("18446744073709551615");
  b.AddInt(1);
  b.AddText("12.5");
  b.AddFloat(1e-05);
  b.AddFloat(static_cast<double>(0.1f));
  b.AddText("-0043-03-15");
  b.AddText("23:59:59.9");
  b.AddText("2024-01-15 10:00:00.5");
  b.AddText("2024-01-15 04:30:00");
  b.AddText("P1M2DT11045.000006S");
  b.AddText("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
  // SQLite: whatever the application wrote.
  b.AddText("+018446744073709551615");
  b.AddText("TRUE");
  b.AddText("1.25E1");
  b.AddText("0.00001");
  b.AddText("0.10000000149011612");
  b.AddText("-0043-03-15");
  b.AddText("23:59:59.90");
  b.AddText("2024-01-15T10:00:00.5");
  b.AddText("2024-01-15T04:30:00.000Z");
  b.AddText("P1M2DT3H4M5.000006S");
  b.AddText("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}");
  std::string scratch;
  RowHash pg = HashRow(b, 0, types, scratch);
  EXPECT_EQ(HashRow(b, 1, types, scratch), pg);
  EXPECT_EQ(HashRow(b, 2, types, scratch), pg);
}

TEST(CanonicalHash, DifferentInstantsHashDifferent) {
  std::vector<LogicalType> types = {MakeType(TypeKind::kTimestampTz)};
  const char* instants[] = {
      "2024-01-15 04:30:00Z",      "2024-01-15 06:30:00",  // no offset is UTC, not local
      "2024-01-15 04:30:01+00",    "2024-01-16 04:30:00+00",   "2024-01-15 04:30:00.000001+00",
      "2024-01-15 04:30:00+00 BC", "2024-01-15 06:30:00-02",   "2024-01-15 04:30:00+00:00:01",
      "2024-01-15 04:30:00.1+00",  "2024-01-15 04:30:00.01+00"};
  RowBatch b(1);
  for (const char* s : instants) b.AddText(s);
  std::string scratch;
  std::vector<RowHash> hashes;
  for (size_t r = 0; r < b.rows(); ++r) hashes.push_back(HashRow(b, r, types, scratch));
  for (size_t i = 0; i < hashes.size(); ++i)
    for (size_t j = i + 1; j < hashes.size(); ++j)
      EXPECT_NE(hashes[i], hashes[j]) << instants[i] << " vs " << instants[j];
}

TEST(CanonicalHash, UnparsedValuesKeepTheirIdentity) {
  // An invalid date is not silently equated with any valid one, nor with another invalid one.
  std::vector<LogicalType> types = {MakeType(TypeKind::kDate)};
  RowBatch b(1);
  b.AddText("2024-02-30");
  b.AddText("2024-03-01");
  b.AddText("0000-00-00");
  b.AddText("0000-00-00 ");
  std::string scratch;
  EXPECT_NE(HashRow(b, 0, types, scratch), HashRow(b, 1, types, scratch));
  EXPECT_NE(HashRow(b, 2, types, scratch), HashRow(b, 3, types, scratch));
  // Bytes are never parsed as text.
  EXPECT_EQ(Canonical(MakeType(TypeKind::kDate),
                      ValueView{.kind = ValueKind::kBytes, .s = "2024-01-15 BC"}),
            "2024-01-15 BC");
  EXPECT_EQ(Canonical(MakeType(TypeKind::kInt), ValueView{.kind = ValueKind::kBytes, .s = "007"}),
            "007");
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
