#include "core/canonical_time.h"

#include <charconv>
#include <limits>

namespace peerlock {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kNanosPerSecond = 1'000'000'000;
// Beyond nine year digits a date is not data but noise; the limit also keeps every day and second
// count far inside int64.
constexpr int kMaxYearDigits = 9;
// Interval fields: 18 digits always fit int64.
constexpr int kMaxFieldDigits = 18;
constexpr int kMaxOffsetHours = 15;  // PostgreSQL's limit; MySQL's is 14

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A forward-only reader over the text; nothing is copied.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool AtEnd() const { return p_ == end_; }
  char Peek() const { return p_ != end_ ? *p_ : '\0'; }
  bool Eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  // An optional sign: '-' -> -1, '+' or none -> 1.
  int Sign() {
    if (Eat('-')) return -1;
    Eat('+');
    return 1;
  }
  // Exactly `n` digits.
  bool Fixed(int n, int& value) {
    if (end_ - p_ < n) return false;
    value = 0;
    for (int i = 0; i < n; ++i) {
      if (!IsDigit(p_[i])) return false;
      value = value * 10 + (p_[i] - '0');
    }
    p_ += n;
    return true;
  }
  // The run of digits at the cursor (possibly empty).
  std::string_view Digits() {
    const char* start = p_;
    while (p_ != end_ && IsDigit(*p_)) ++p_;
    return std::string_view(start, p_ - start);
  }
  // A run of 1 to `max_digits` digits as a number; returns how many digits, 0 on failure.
  int Number(int max_digits, int64_t& value) {
    std::string_view d = Digits();
    if (d.empty() || static_cast<int>(d.size()) > max_digits) return 0;
    value = 0;
    for (char c : d) value = value * 10 + (c - '0');
    return static_cast<int>(d.size());
  }
  std::string_view Word() {
    const char* start = p_;
    while (p_ != end_ && ((*p_ >= 'a' && *p_ <= 'z') || (*p_ >= 'A' && *p_ <= 'Z'))) ++p_;
    return std::string_view(start, p_ - start);
  }

 private:
  const char* p_;
  const char* end_;
};

std::string_view TrimTrailingZeros(std::string_view digits) {
  while (!digits.empty() && digits.back() == '0') digits.remove_suffix(1);
  return digits;
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// 1 for "infinity"/"+infinity", -1 for "-infinity", 0 otherwise.
int Infinity(std::string_view text) {
  if (text == "infinity" || text == "+infinity") return 1;
  if (text == "-infinity") return -1;
  return 0;
}

bool StripBc(std::string_view& text) {
  constexpr std::string_view kBc = " BC";
  if (!text.ends_with(kBc)) return false;
  text.remove_suffix(kBc.size());
  return true;
}

struct TimeOfDay {
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::string_view fraction;  // trailing zeros removed
};

// [-]YYYY-MM-DD; `bc` turns year N into astronomical 1 - N (and forbids a sign and year 0).
bool ParseDate(Scanner& s, bool bc, CivilDate& d) {
  bool negative = s.Eat('-');
  int64_t year = 0;
  if (s.Number(kMaxYearDigits, year) < 4) return false;
  if (bc) {
    if (negative || year == 0) return false;
    year = 1 - year;
  } else if (negative) {
    year = -year;
  }
  int month = 0, day = 0;
  if (!s.Eat('-') || !s.Fixed(2, month) || !s.Eat('-') || !s.Fixed(2, day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  d = CivilDate{year, month, day};
  return true;
}

// HH:MM[:SS[.f]], hours not range-checked here.
bool ParseTimeOfDay(Scanner& s, TimeOfDay& t) {
  if (!s.Fixed(2, t.hour) || !s.Eat(':') || !s.Fixed(2, t.minute)) return false;
  if (s.Eat(':')) {
    if (!s.Fixed(2, t.second)) return false;
    if (s.Eat('.')) {
      std::string_view digits = s.Digits();
      if (digits.empty()) return false;
      t.fraction = TrimTrailingZeros(digits);
    }
  }
  return t.minute <= 59 && t.second <= 59;
}

// A date alone (midnight) or a date, ' ' or 'T', and a time of day before 24:00.
bool ParseDateTime(Scanner& s, bool bc, CivilDate& d, TimeOfDay& t) {
  if (!ParseDate(s, bc, d)) return false;
  if (s.AtEnd()) return true;
  if (!s.Eat(' ') && !s.Eat('T')) return false;
  return ParseTimeOfDay(s, t) && t.hour <= 23;
}

// Z, or ±HH[[:]MM[[:]SS]] with one separator style; seconds east of UTC.
bool ParseOffset(Scanner& s, int64_t& offset) {
  if (s.Eat('Z') || s.Eat('z')) {
    offset = 0;
    return true;
  }
  int sign = s.Eat('-') ? -1 : 0;
  if (!sign && s.Eat('+')) sign = 1;
  if (!sign) return false;
  int hours = 0, minutes = 0, seconds = 0;
  if (!s.Fixed(2, hours)) return false;
  if (s.Eat(':')) {
    if (!s.Fixed(2, minutes)) return false;
    if (s.Eat(':') && !s.Fixed(2, seconds)) return false;
  } else if (IsDigit(s.Peek())) {
    if (!s.Fixed(2, minutes)) return false;
    if (IsDigit(s.Peek()) && !s.Fixed(2, seconds)) return false;
  }
  if (hours > kMaxOffsetHours || minutes > 59 || seconds > 59) return false;
  offset = sign * (hours * 3600 + minutes * 60 + seconds);
  return true;
}

// Formats a date and time of day on the stack, so that `out` grows once per value.
class Formatter {
 public:
  void Date(const CivilDate& d) {
    if (d.year < 0) buf_[n_++] = '-';
    uint64_t year = d.year < 0 ? -static_cast<uint64_t>(d.year) : static_cast<uint64_t>(d.year);
    if (year < 10000) {
      Two(static_cast<int>(year / 100));
      Two(static_cast<int>(year % 100));
    } else {
      n_ = static_cast<int>(std::to_chars(buf_ + n_, buf_ + sizeof buf_, year).ptr - buf_);
    }
    buf_[n_++] = '-';
    Two(d.month);
    buf_[n_++] = '-';
    Two(d.day);
  }
  void Put(char c) { buf_[n_++] = c; }
  void Clock(int hour, int minute, int second) {
    Two(hour);
    buf_[n_++] = ':';
    Two(minute);
    buf_[n_++] = ':';
    Two(second);
  }
  void AppendTo(std::string& out, std::string_view fraction) const {
    out.append(buf_, n_);
    if (fraction.empty()) return;
    out += '.';
    out.append(fraction);
  }

 private:
  void Two(int v) {  // 0-99
    buf_[n_++] = static_cast<char>('0' + v / 10);
    buf_[n_++] = static_cast<char>('0' + v % 10);
  }

  char buf_[48];  // "-" 20 year digits "-MM-DD HH:MM:SS" at most
  int n_ = 0;
};

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// An interval as PostgreSQL stores it: three independently signed parts.
struct Interval {
  int64_t months = 0;
  int64_t days = 0;
  __int128 nanos = 0;
};

// value * factor added to acc, false on int64 overflow.
bool AddScaled(int64_t& acc, int64_t value, int64_t factor) {
  int64_t scaled = 0;
  return !__builtin_mul_overflow(value, factor, &scaled) &&
         !__builtin_add_overflow(acc, scaled, &acc);
}

// Fractional-second digits as nanoseconds; digits past the ninth must be zeros.
bool FractionNanos(std::string_view digits, int64_t& nanos) {
  nanos = 0;
  for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  for (size_t i = 9; i < digits.size(); ++i)
    if (digits[i] != '0') return false;
  return true;
}

// [+-]H+:MM:SS[.f] after the sign and hours were read.
bool ParseIntervalClock(Scanner& s, int sign, int64_t hours, Interval& iv) {
  int minutes = 0, seconds = 0;
  if (!s.Fixed(2, minutes) || !s.Eat(':') || !s.Fixed(2, seconds)) return false;
  if (minutes > 59 || seconds > 59) return false;
  int64_t frac = 0;
  if (s.Eat('.')) {
    std::string_view digits = s.Digits();
    if (digits.empty() || !FractionNanos(digits, frac)) return false;
  }
  __int128 whole = (static_cast<__int128>(hours) * 60 + minutes) * 60 + seconds;
  iv.nanos = sign * (whole * kNanosPerSecond + frac);
  return true;
}

// PostgreSQL's "postgres" style: [±N year[s]] [±N mon[s]] [±N day[s]] [±H+:MM:SS[.f]].
bool ParsePostgresInterval(std::string_view text, Interval& iv) {
  Scanner s(text);
  int stage = 0;  // 1 after years, 2 after months, 3 after days
  bool any = false;
  while (!s.AtEnd()) {
    if (any && !s.Eat(' ')) return false;
    int sign = s.Sign();
    int64_t n = 0;
    if (!s.Number(kMaxFieldDigits, n)) return false;
    if (s.Eat(':')) return ParseIntervalClock(s, sign, n, iv) && s.AtEnd();
    if (!s.Eat(' ')) return false;
    std::string_view unit = s.Word();
    if ((unit == "year" || unit == "years") && stage < 1) {
      if (!AddScaled(iv.months, sign * n, 12)) return false;
      stage = 1;
    } else if ((unit == "mon" || unit == "mons") && stage < 2) {
      if (!AddScaled(iv.months, sign * n, 1)) return false;
      stage = 2;
    } else if ((unit == "day" || unit == "days") && stage < 3) {
      iv.days = sign * n;
      stage = 3;
    } else {
      return false;
    }
    any = true;
  }
  return any;
}

// ISO 8601: P[nY][nM][nW][nD][T[nH][nM][n[.f]S]], each n signed.
bool ParseIsoInterval(std::string_view text, Interval& iv) {
  Scanner s(text);
  if (!s.Eat('P')) return false;
  constexpr std::string_view kDateUnits = "YMWD", kTimeUnits = "HMS";
  std::string_view units = kDateUnits;
  bool any = false, time_any = false, in_time = false;
  while (!s.AtEnd()) {
    if (!in_time && s.Eat('T')) {
      in_time = true;
      units = kTimeUnits;
      continue;
    }
    int sign = s.Sign();
    int64_t n = 0, frac = 0;
    if (!s.Number(kMaxFieldDigits, n)) return false;
    bool has_fraction = s.Eat('.');
    if (has_fraction) {
      std::string_view digits = s.Digits();
      if (digits.empty() || !FractionNanos(digits, frac)) return false;
    }
    size_t unit = units.find(s.Peek());
    if (s.AtEnd() || unit == std::string_view::npos) return false;
    char designator = units[unit];
    units.remove_prefix(unit + 1);  // designators come in order, each at most once
    s.Eat(designator);
    if (has_fraction && !(in_time && designator == 'S')) return false;
    if (!in_time) {
      bool ok = designator == 'Y'   ? AddScaled(iv.months, sign * n, 12)
                : designator == 'M' ? AddScaled(iv.months, sign * n, 1)
                : designator == 'W' ? AddScaled(iv.days, sign * n, 7)
                                    : AddScaled(iv.days, sign * n, 1);
      if (!ok) return false;
    } else {
      int64_t scale = designator == 'H' ? 3600 : designator == 'M' ? 60 : 1;
      iv.nanos += sign * ((static_cast<__int128>(n) * scale) * kNanosPerSecond + frac);
      time_any = true;
    }
    any = true;
  }
  return any && (!in_time || time_any);
}

void AppendInterval(const Interval& iv, std::string& out) {
  out += 'P';
  AppendInt(iv.months, out);
  out += 'M';
  AppendInt(iv.days, out);
  out += "DT";
  __int128 n = iv.nanos;
  if (n < 0) {
    out += '-';
    n = -n;
  }
  AppendInt(static_cast<int64_t>(n / kNanosPerSecond), out);
  int64_t frac = static_cast<int64_t>(n % kNanosPerSecond);
  if (frac) {
    char digits[9];
    for (int i = 8; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
    out += '.';
    out.append(TrimTrailingZeros(std::string_view(digits, 9)));
  }
  out += 'S';
}

}  // namespace

int64_t DaysFromCivil(int64_t year, int month, int day) {
  // Howard Hinnant's days_from_civil: eras of 400 years, years starting in March.
  const int64_t y = year - (month <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                                  // [0, 399]
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                          // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2), month, day};
}

bool AppendCanonicalDate(std::string_view text, std::string& out) {
  if (int inf = Infinity(text)) {
    out += inf > 0 ? "infinity" : "-infinity";
    return true;
  }
  bool bc = StripBc(text);
  Scanner s(text);
  CivilDate d;
  if (!ParseDate(s, bc, d) || !s.AtEnd()) return false;
  Formatter f;
  f.Date(d);
  f.AppendTo(out, {});
  return true;
}

bool AppendCanonicalTime(std::string_view text, std::string& out) {
  Scanner s(text);
  TimeOfDay t;
  if (!ParseTimeOfDay(s, t) || !s.AtEnd()) return false;
  if (t.hour > 24 || (t.hour == 24 && (t.minute || t.second || !t.fraction.empty()))) return false;
  Formatter f;
  f.Clock(t.hour, t.minute, t.second);
  f.AppendTo(out, t.fraction);
  return true;
}

bool AppendCanonicalTimestamp(std::string_view text, std::string& out) {
  if (int inf = Infinity(text)) {
    out += inf > 0 ? "infinity" : "-infinity";
    return true;
  }
  bool bc = StripBc(text);
  Scanner s(text);
  CivilDate d;
  TimeOfDay t;
  if (!ParseDateTime(s, bc, d, t) || !s.AtEnd()) return false;
  Formatter f;
  f.Date(d);
  f.Put(' ');
  f.Clock(t.hour, t.minute, t.second);
  f.AppendTo(out, t.fraction);
  return true;
}

bool AppendCanonicalTimestampTz(std::string_view text, std::string& out) {
  if (int inf = Infinity(text)) {
    out += inf > 0 ? "infinity" : "-infinity";
    return true;
  }
  bool bc = StripBc(text);
  Scanner s(text);
  CivilDate d;
  TimeOfDay t;
  int64_t offset = 0;
  if (!ParseDateTime(s, bc, d, t)) return false;
  if (!s.AtEnd() && (!ParseOffset(s, offset) || !s.AtEnd())) return false;
  // Offsets are whole seconds, so the fraction carries over untouched. Only a shift that leaves
  // the day needs calendar arithmetic (PostgreSQL in UTC always writes "+00").
  int64_t second_of_day = t.hour * 3600 + t.minute * 60 + t.second - offset;
  if (second_of_day < 0 || second_of_day >= kSecondsPerDay) {
    int64_t days = DaysFromCivil(d.year, d.month, d.day) + (second_of_day < 0 ? -1 : 1);
    second_of_day += second_of_day < 0 ? kSecondsPerDay : -kSecondsPerDay;
    d = CivilFromDays(days);
  }
  Formatter f;
  f.Date(d);
  f.Put(' ');
  f.Clock(static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
          static_cast<int>(second_of_day % 60));
  f.AppendTo(out, t.fraction);
  out += 'Z';
  return true;
}

bool AppendCanonicalInterval(std::string_view text, std::string& out) {
  Interval iv;
  bool parsed =
      text.starts_with('P') ? ParseIsoInterval(text, iv) : ParsePostgresInterval(text, iv);
  if (!parsed) return false;
  constexpr __int128 kMaxNanos =
      static_cast<__int128>(std::numeric_limits<int64_t>::max()) * kNanosPerSecond;
  if (iv.nanos > kMaxNanos || iv.nanos < -kMaxNanos) return false;
  AppendInterval(iv, out);
  return true;
}

}  // namespace peerlock
