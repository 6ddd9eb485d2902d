#include "core/canonical_time.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(CanonicalTimeCivil, KnownDays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2024, 1, 15), 19737);
  EXPECT_EQ(DaysFromCivil(0, 3, 1), -719468);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(DaysFromCivil(-4713, 11, 24), -2440588);  // Julian day 0 (4714 BC), proleptic
  EXPECT_EQ(CivilFromDays(19737), (CivilDate{2024, 1, 15}));
  EXPECT_EQ(CivilFromDays(-719469), (CivilDate{0, 2, 29}));
  EXPECT_EQ(CivilFromDays(-1), (CivilDate{1969, 12, 31}));
}

// Walks every day from 2000 BC to AD 3000 with a plain calendar and checks both functions, so
// every month end, leap day and century rule is crossed in both directions.
TEST(CanonicalTimeCivil, EveryDayAgreesWithAPlainCalendar) {
  auto leap = [](int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); };
  const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  CivilDate d{-1999, 1, 1};
  int64_t n = DaysFromCivil(d.year, d.month, d.day);
  while (d.year <= 3000) {
    ASSERT_EQ(DaysFromCivil(d.year, d.month, d.day), n) << d.year << "-" << d.month << "-" << d.day;
    ASSERT_EQ(CivilFromDays(n), d) << n;
    int month_days = d.month == 2 && leap(d.year) ? 29 : kDays[d.month - 1];
    if (++d.day > month_days) {
      d.day = 1;
      if (++d.month > 12) {
        d.month = 1;
        ++d.year;
      }
    }
    ++n;
  }
}

TEST(CanonicalTimeCivil, FarYears) {
  for (int64_t y : {-999999999LL, -400LL, -1LL, 0LL, 1LL, 400LL, 999999999LL}) {
    for (int m : {1, 2, 3, 12}) {
      int64_t n = DaysFromCivil(y, m, 28);
      EXPECT_EQ(CivilFromDays(n), (CivilDate{y, m, 28}));
      EXPECT_EQ(DaysFromCivil(y + 400, m, 28) - n, 146097);  // the Gregorian cycle
    }
  }
}

TEST(CanonicalTimeAppend, LeavesOutputUntouchedOnFailure) {
  std::string out = "prefix";
  EXPECT_FALSE(AppendCanonicalDate("2024-02-30", out));
  EXPECT_FALSE(AppendCanonicalTime("10:00:61", out));
  EXPECT_FALSE(AppendCanonicalTimestamp("2024-01-15 10:00:00+02", out));
  EXPECT_FALSE(AppendCanonicalTimestampTz("2024-01-15 10:00:00+99", out));
  EXPECT_FALSE(AppendCanonicalInterval("1 year 2 mons 3 days 04:05:60", out));
  EXPECT_EQ(out, "prefix");
  EXPECT_TRUE(AppendCanonicalTimestampTz("2024-01-15 06:30:00+02", out));
  EXPECT_EQ(out, "prefix2024-01-15 04:30:00Z");
}

}  // namespace
}  // namespace peerlock
