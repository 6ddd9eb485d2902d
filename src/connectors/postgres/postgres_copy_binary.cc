#include "connectors/postgres/postgres_copy_binary.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/strings.h"

namespace peerlock {
namespace {

void PutU16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void PutU32(std::string& out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v >> 16));
  PutU16(out, static_cast<uint16_t>(v & 0xffff));
}
void PutU64(std::string& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v & 0xffffffffu));
}
// A field: its byte length, then its bytes.
void PutField(std::string& out, std::string_view bytes) {
  PutU32(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
int Number(std::string_view s) {  // s: Digits(), at most 6 characters
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
constexpr int64_t kPgEpochDays = 10957;  // 2000-01-01, PostgreSQL's epoch, from 1970-01-01
constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "YYYY-MM-DD" (years 0001-9999): days since PostgreSQL's epoch.
bool ParseDate(std::string_view s, int64_t& days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  std::string_view ys = s.substr(0, 4), ms = s.substr(5, 2), ds = s.substr(8, 2);
  if (!Digits(ys) || !Digits(ms) || !Digits(ds)) return false;
  int y = Number(ys), m = Number(ms), d = Number(ds);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  days = DaysFromCivil(y, m, d) - kPgEpochDays;
  return true;
}

// "YYYY-MM-DD HH:MM:SS[.f{1,6}]" (or 'T' between), then, when `offset_allowed`, an optional
// "Z", "+HH" or "+HH:MM" (or '-'): microseconds since PostgreSQL's epoch, in UTC when an offset
// is given. Hours 24 and leap seconds, which PostgreSQL rolls over, are declined.
bool ParseTimestamp(std::string_view s, bool offset_allowed, int64_t& micros) {
  if (s.size() < 19 || (s[10] != ' ' && s[10] != 'T')) return false;
  int64_t days = 0;
  if (!ParseDate(s.substr(0, 10), days)) return false;
  std::string_view t = s.substr(11);
  if (t[2] != ':' || t[5] != ':') return false;
  std::string_view hs = t.substr(0, 2), ms = t.substr(3, 2), ss = t.substr(6, 2);
  if (!Digits(hs) || !Digits(ms) || !Digits(ss)) return false;
  int h = Number(hs), mi = Number(ms), se = Number(ss);
  if (h > 23 || mi > 59 || se > 59) return false;
  std::string_view rest = t.substr(8);
  int64_t fraction = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    std::string_view f = rest.substr(1, n - 1);
    if (f.empty() || f.size() > 6) return false;  // more digits: PostgreSQL rounds them
    fraction = Number(f);
    for (size_t i = f.size(); i < 6; ++i) fraction *= 10;
    rest = rest.substr(n);
  }
  int64_t offset_seconds = 0;
  if (!rest.empty()) {
    if (!offset_allowed) return false;  // timestamp without time zone ignores an offset
    if (rest == "Z") {
      rest = {};
    } else {
      if (rest[0] != '+' && rest[0] != '-') return false;
      int sign = rest[0] == '-' ? -1 : 1;
      std::string_view oh = rest.substr(1, 2);
      if (oh.size() != 2 || !Digits(oh)) return false;
      int om = 0;
      if (rest.size() == 6 && rest[3] == ':' && Digits(rest.substr(4, 2))) {
        om = Number(rest.substr(4, 2));
      } else if (rest.size() != 3) {
        return false;
      }
      if (Number(oh) > 15 || om > 59) return false;
      offset_seconds = sign * (Number(oh) * 3600 + om * 60);
    }
  }
  micros =
      days * kMicrosPerDay + ((h * 3600LL + mi * 60 + se) - offset_seconds) * 1000000 + fraction;
  return true;
}

// A plain decimal "[-]digits[.digits]" (or "NaN") as PostgreSQL's binary numeric: ndigits,
// weight, sign, display scale, then base-10000 digits.
void PutDigitlessNumeric(std::string& out, uint16_t sign, uint16_t dscale) {
  PutU32(out, 8);
  PutU16(out, 0);  // ndigits
  PutU16(out, 0);  // weight
  PutU16(out, sign);
  PutU16(out, dscale);
}

bool PutNumericText(std::string_view s, std::string& out) {
  if (s == "NaN") {
    PutDigitlessNumeric(out, 0xC000, 0);
    return true;
  }
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s.size() > 1000) return false;
  size_t point = s.find('.');
  std::string_view whole = s.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? "" : s.substr(point + 1);
  if (!Digits(whole) || (point != std::string_view::npos && !Digits(fraction))) return false;
  while (!whole.empty() && whole[0] == '0') whole.remove_prefix(1);
  // Align on the decimal point: whole digits padded on the left, fraction on the right.
  size_t lead = (4 - whole.size() % 4) % 4, trail = (4 - fraction.size() % 4) % 4;
  std::string all(lead, '0');
  all.append(whole).append(fraction).append(trail, '0');
  int weight = static_cast<int>((lead + whole.size()) / 4) - 1;
  std::vector<uint16_t> groups;
  for (size_t i = 0; i < all.size(); i += 4)
    groups.push_back(static_cast<uint16_t>(Number(std::string_view(all).substr(i, 4))));
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) ++first, --weight;
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  const uint16_t dscale = static_cast<uint16_t>(fraction.size());
  if (first == last) {  // zero keeps its scale and loses its sign, as numeric_in does
    PutDigitlessNumeric(out, 0x0000, dscale);
    return true;
  }
  size_t n = last - first;
  PutU32(out, static_cast<uint32_t>(8 + 2 * n));
  PutU16(out, static_cast<uint16_t>(n));
  PutU16(out, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  PutU16(out, negative ? 0x4000 : 0x0000);
  PutU16(out, dscale);
  for (size_t i = first; i < last; ++i) PutU16(out, groups[i]);
  return true;
}

bool ParseInt(std::string_view s, int64_t& v) {
  if (s.empty() || s.size() > 20) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && s[0] != '+';
}

bool IsText(const ValueView& v) {
  return v.kind == ValueKind::kText || v.kind == ValueKind::kBytes;
}
bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

bool PutUuid(std::string_view s, std::string& out) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  std::string digits;
  for (char c : s)
    if (c != '-') digits += c;
  auto bytes = HexDecode(digits);
  if (!bytes || bytes->size() != 16) return false;
  PutField(out, *bytes);
  return true;
}

bool PutInteger(const ValueView& v, int bytes, std::string& out) {
  int64_t i = 0;
  if (v.kind == ValueKind::kInt) {
    i = v.i;
  } else if (v.kind != ValueKind::kText || !ParseInt(v.s, i)) {
    return false;
  }
  if (bytes == 2 && (i < INT16_MIN || i > INT16_MAX)) return false;
  if (bytes == 4 && (i < INT32_MIN || i > INT32_MAX)) return false;
  PutU32(out, static_cast<uint32_t>(bytes));
  if (bytes == 2) PutU16(out, static_cast<uint16_t>(static_cast<int16_t>(i)));
  if (bytes == 4) PutU32(out, static_cast<uint32_t>(static_cast<int32_t>(i)));
  if (bytes == 8) PutU64(out, static_cast<uint64_t>(i));
  return true;
}

bool PutValue(const ValueView& v, PgBinaryType type, std::string& out) {
  if (v.kind == ValueKind::kNull) {
    PutU32(out, 0xffffffffu);  // -1: NULL
    return true;
  }
  switch (type) {
    case PgBinaryType::kInt2: return PutInteger(v, 2, out);
    case PgBinaryType::kInt4: return PutInteger(v, 4, out);
    case PgBinaryType::kInt8: return PutInteger(v, 8, out);
    case PgBinaryType::kFloat8: {
      double d = 0;
      if (v.kind == ValueKind::kFloat) {
        d = v.f;
      } else if (v.kind == ValueKind::kInt) {
        d = static_cast<double>(v.i);  // rounds to nearest, as float8in does with the digits
      } else {
        return false;
      }
      uint64_t bits = 0x7ff8000000000000ULL;  // float8in's NaN, whatever NaN came in
      if (!std::isnan(d)) std::memcpy(&bits, &d, sizeof bits);
      PutU32(out, 8);
      PutU64(out, bits);
      return true;
    }
    case PgBinaryType::kBool: {
      bool b = false;
      if (v.kind == ValueKind::kInt && (v.i == 0 || v.i == 1)) {
        b = v.i == 1;
      } else if (v.kind == ValueKind::kText && (v.s == "t" || v.s == "true")) {
        b = true;
      } else if (!(v.kind == ValueKind::kText && (v.s == "f" || v.s == "false"))) {
        return false;
      }
      PutU32(out, 1);
      out += static_cast<char>(b ? 1 : 0);
      return true;
    }
    case PgBinaryType::kBytea:
      if (!IsText(v)) return false;
      PutField(out, v.s);
      return true;
    case PgBinaryType::kText:
      if (v.kind == ValueKind::kInt) {
        char buf[24];
        auto res = std::to_chars(buf, buf + sizeof buf, v.i);
        PutField(out, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
        return true;
      }
      if (!IsText(v) || HasNul(v.s)) return false;  // COPY text reports the NUL
      PutField(out, v.s);
      return true;
    case PgBinaryType::kJsonb:
      if (!IsText(v) || HasNul(v.s)) return false;
      PutU32(out, static_cast<uint32_t>(v.s.size() + 1));
      out += '\x01';  // jsonb's binary format version, then its text
      out.append(v.s);
      return true;
    case PgBinaryType::kNumeric: {
      if (v.kind == ValueKind::kInt) {
        char buf[24];
        auto res = std::to_chars(buf, buf + sizeof buf, v.i);
        return PutNumericText(std::string_view(buf, static_cast<size_t>(res.ptr - buf)), out);
      }
      if (v.kind == ValueKind::kFloat) {
        if (std::isnan(v.f)) return PutNumericText("NaN", out);
        if (std::isinf(v.f)) return false;
        char buf[64];  // the digits COPY text would send; an exponent is declined
        auto res = std::to_chars(buf, buf + sizeof buf, v.f);
        return PutNumericText(std::string_view(buf, static_cast<size_t>(res.ptr - buf)), out);
      }
      return v.kind == ValueKind::kText && PutNumericText(v.s, out);
    }
    case PgBinaryType::kDate: {
      int64_t days = 0;
      if (v.kind != ValueKind::kText || !ParseDate(v.s, days)) return false;
      PutU32(out, 4);
      PutU32(out, static_cast<uint32_t>(static_cast<int32_t>(days)));
      return true;
    }
    case PgBinaryType::kTimestamp:
    case PgBinaryType::kTimestamptz: {
      int64_t micros = 0;
      if (v.kind != ValueKind::kText ||
          !ParseTimestamp(v.s, type == PgBinaryType::kTimestamptz, micros))
        return false;
      PutU32(out, 8);
      PutU64(out, static_cast<uint64_t>(micros));
      return true;
    }
    case PgBinaryType::kUuid: return v.kind == ValueKind::kText && PutUuid(v.s, out);
  }
  return false;
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::string_view(s).substr(0, prefix.size()) == prefix;
}
bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<PgBinaryType> PgBinaryTypeFor(const std::string& t) {
  if (t == "smallint") return PgBinaryType::kInt2;
  if (t == "integer") return PgBinaryType::kInt4;
  if (t == "bigint") return PgBinaryType::kInt8;
  if (t == "double precision") return PgBinaryType::kFloat8;
  if (t == "boolean") return PgBinaryType::kBool;
  if (t == "bytea") return PgBinaryType::kBytea;
  if (t == "text" || t == "json" || t == "character varying" || t == "bpchar" ||
      StartsWith(t, "character varying(") || StartsWith(t, "character("))
    return t.ends_with("[]") ? std::nullopt : std::optional(PgBinaryType::kText);
  if (t == "jsonb") return PgBinaryType::kJsonb;
  if (t == "numeric" || (StartsWith(t, "numeric(") && EndsWith(t, ")")))
    return PgBinaryType::kNumeric;
  if (t == "date") return PgBinaryType::kDate;
  if (t == "uuid") return PgBinaryType::kUuid;
  if (StartsWith(t, "timestamp") && !t.ends_with("[]")) {
    if (EndsWith(t, " without time zone")) return PgBinaryType::kTimestamp;
    if (EndsWith(t, " with time zone")) return PgBinaryType::kTimestamptz;
  }
  return std::nullopt;
}

void AppendBinaryCopyHeader(std::string& out) {
  static const char kSignature[] = "PGCOPY\n\377\r\n";  // and its terminating NUL
  out.append(kSignature, sizeof kSignature);
  PutU32(out, 0);  // flags: no OIDs
  PutU32(out, 0);  // no header extension
}

void AppendBinaryCopyTrailer(std::string& out) { PutU16(out, 0xffff); }

bool EncodeBinaryCopyRow(const RowBatch& batch, size_t row, const std::vector<PgBinaryType>& types,
                         std::string& out) {
  const size_t mark = out.size();
  PutU16(out, static_cast<uint16_t>(batch.columns()));
  for (int c = 0; c < batch.columns(); ++c) {
    if (!PutValue(batch.Get(row, c), types[static_cast<size_t>(c)], out)) {
      out.resize(mark);
      return false;
    }
  }
  return true;
}

}  // namespace peerlock
