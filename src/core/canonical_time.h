#pragma once
// Canonical text of dates, times, timestamps and intervals (../shared/CANONICAL.md), parsed from
// the text forms engines and applications emit: PostgreSQL with DateStyle=ISO and
// IntervalStyle=postgres (or iso_8601), MariaDB/MySQL, and ISO 8601 text stored in SQLite.
// Pure functions: no allocation beyond appending to `out`, no locale, no process time zone;
// thread-safe.
//
// Each Append* function appends the canonical form of `text` to `out` and returns true, or returns
// false and leaves `out` untouched when `text` is not a valid value in a recognised form (the
// caller then renders it by storage). Every canonical form is itself accepted, unchanged.

#include <cstdint>
#include <string>
#include <string_view>

namespace peerlock {

// Accepts "YYYY-MM-DD" (four or more year digits; a leading '-' for astronomical years before
// year 0), PostgreSQL's " BC" suffix (year N BC is astronomical year 1 - N), "infinity",
// "+infinity", "-infinity". Writes "YYYY-MM-DD" with the year padded to four digits and signed
// when negative ("0044-03-15 BC" -> "-0043-03-15"). Dates are validated (proleptic Gregorian).
bool AppendCanonicalDate(std::string_view text, std::string& out);

// Accepts "HH:MM", "HH:MM:SS" and "HH:MM:SS.f..." (hours 00-23, or exactly 24:00:00, which
// PostgreSQL's time allows). Writes "HH:MM:SS" plus '.' and the fraction with trailing zeros
// removed (none when it is zero): "23:59:59.900000" -> "23:59:59.9". Durations are intervals.
bool AppendCanonicalTime(std::string_view text, std::string& out);

// Accepts a date as above, alone (its midnight) or followed by ' ' or 'T' and a time of day as
// above (hours 00-23), plus the " BC" suffix, or infinity. No zone offset: a naive timestamp is
// never shifted, so text with an offset is not recognised. Writes "YYYY-MM-DD HH:MM:SS[.f]".
bool AppendCanonicalTimestamp(std::string_view text, std::string& out);

// As for timestamps, with an optional offset after the time: "Z"/"z", "+HH", "+HHMM",
// "+HH:MM", "+HHMMSS", "+HH:MM:SS" (or '-'; at most 15:59:59). No offset means UTC. The " BC"
// suffix follows the offset as PostgreSQL writes it ("0044-03-15 12:00:00+00 BC"). Converted to
// UTC across day, month and year boundaries: "2024-01-15 06:30:00+02" -> "2024-01-15 04:30:00Z".
// Infinity stays "infinity" / "-infinity" (no 'Z').
bool AppendCanonicalTimestampTz(std::string_view text, std::string& out);

// Accepts PostgreSQL's "postgres" IntervalStyle ("1 year 2 mons 3 days 04:05:06.000007",
// "-1 days +02:00:00", "00:00:00": signed year(s)/mon(s)/day(s) fields in that order, then an
// optional signed H+:MM:SS[.f] time field), which also covers MySQL TIME durations ("838:59:59",
// "-12:00:00"), and ISO 8601 durations ("P1Y2M3DT4H5M6.5S", "P-1Y-2M", "PT0S", "P2W": signed
// integers, a fraction only on seconds). Writes "P<months>M<days>DT<seconds>S" with every part
// present and signed independently, as PostgreSQL keeps them: years count 12 months, weeks 7 days,
// hours and minutes go into seconds; the seconds' fraction (at most nanoseconds) has trailing
// zeros removed; zero parts are "0" ("00:00:00" -> "P0M0DT0S", "-00:00:01.5" -> "P0M0DT-1.5S").
bool AppendCanonicalInterval(std::string_view text, std::string& out);

// Days since 1970-01-01 of a proleptic Gregorian date with an astronomical year (year 0 is 1 BC).
// `month` is 1-12 and `day` 1-31; exact for any year whose day count fits int64.
int64_t DaysFromCivil(int64_t year, int month, int day);

struct CivilDate {
  int64_t year = 1970;  // astronomical
  int month = 1;        // 1-12
  int day = 1;          // 1-31

  bool operator==(const CivilDate&) const = default;
};
// Inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);

}  // namespace peerlock
