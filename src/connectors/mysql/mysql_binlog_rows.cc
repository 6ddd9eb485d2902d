#include "connectors/mysql/mysql_binlog_rows.h"

#include <fmt/format.h>
#include <mysql.h>

#include <cfloat>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

namespace peerlock {
namespace {

uint64_t LittleEndian(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

uint64_t BigEndian(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Sign-extends the low `bytes` bytes of `v`.
int64_t SignExtend(uint64_t v, size_t bytes) {
  if (bytes >= 8) return static_cast<int64_t>(v);
  uint64_t sign = uint64_t{1} << (8 * bytes - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

Error Corrupt(const std::string& what) {
  return Error(ErrorCode::kInternal, "binlog rows event cannot be decoded: " + what)
      .WithHint("this is a bug in PeerLock's binlog decoder; report it with the server version");
}

// ".ffffff" cut to `fsp` digits, as MariaDB prints a temporal value of that precision.
std::string Fraction(int64_t usec, int fsp) {
  if (fsp <= 0) return "";
  std::string digits = fmt::format("{:06d}", usec);
  return "." + digits.substr(0, static_cast<size_t>(std::min(fsp, 6)));
}

std::string DateText(int64_t year, int64_t month, int64_t day) {
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

std::string ClockText(int64_t hour, int64_t minute, int64_t second) {
  return fmt::format("{:02d}:{:02d}:{:02d}", hour, minute, second);
}

// Bytes of the fractional part of TIME2/DATETIME2/TIMESTAMP2 with precision `fsp`.
size_t FractionBytes(int fsp) { return static_cast<size_t>((fsp + 1) / 2); }

// The fraction of a DATETIME2 (signed storage) or TIMESTAMP2 (unsigned) in microseconds.
int64_t StoredFraction(const unsigned char* p, int fsp, bool is_signed) {
  switch (fsp) {
    case 1:
    case 2: return (is_signed ? static_cast<int8_t>(p[0]) : p[0]) * 10000;
    case 3:
    case 4: {
      auto v = static_cast<int64_t>(BigEndian(p, 2));
      return (is_signed ? SignExtend(static_cast<uint64_t>(v), 2) : v) * 100;
    }
    case 5:
    case 6: {
      auto v = static_cast<int64_t>(BigEndian(p, 3));
      return is_signed ? SignExtend(static_cast<uint64_t>(v), 3) : v;
    }
    default: return 0;
  }
}

std::string DecimalText(const unsigned char* stored, size_t size, int precision, int scale) {
  static constexpr int kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  int intg = precision - scale;
  std::string buf(reinterpret_cast<const char*>(stored), size);
  bool negative = (static_cast<unsigned char>(buf[0]) & 0x80) == 0;
  buf[0] = static_cast<char>(buf[0] ^ 0x80);
  if (negative)
    for (char& c : buf) c = static_cast<char>(~c);
  size_t off = 0;
  auto group = [&](int bytes) {
    uint64_t v = BigEndian(reinterpret_cast<const unsigned char*>(buf.data()) + off,
                           static_cast<size_t>(bytes));
    off += static_cast<size_t>(bytes);
    return v;
  };
  std::string integer;
  if (intg % 9) integer += std::to_string(group(kDigitBytes[intg % 9]));
  for (int i = 0; i < intg / 9; ++i) integer += fmt::format("{:09d}", group(4));
  size_t first = integer.find_first_not_of('0');
  integer = first == std::string::npos ? "0" : integer.substr(first);
  std::string fraction;
  for (int i = 0; i < scale / 9; ++i) fraction += fmt::format("{:09d}", group(4));
  if (scale % 9) fraction += fmt::format("{:0{}d}", group(kDigitBytes[scale % 9]), scale % 9);
  bool zero = integer == "0" && fraction.find_first_not_of('0') == std::string::npos;
  return (negative && !zero ? "-" : "") + integer + (scale > 0 ? "." + fraction : "");
}

size_t DecimalSize(int precision, int scale) {
  static constexpr int kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  int intg = precision - scale;
  return static_cast<size_t>(intg / 9 * 4 + kDigitBytes[intg % 9] + scale / 9 * 4 +
                             kDigitBytes[scale % 9]);
}

std::string UtcText(int64_t seconds) {
  using namespace std::chrono;
  sys_seconds t{std::chrono::seconds(seconds)};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  return DateText(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day())) +
         " " + ClockText(hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

void AddDate(RowBatch& out, int64_t year, int64_t month, int64_t day, const std::string& rest) {
  // Zero and partial-zero dates are read as NULL by the copy (docs/mysql.md, zero dates).
  if (month == 0 || day == 0) return out.AddNull();
  out.AddText(DateText(year, month, day) + rest);
}

void AddFloat32(RowBatch& out, float f) {
  // As MysqlSession::Read carries FLOAT: the double nearest the float's shortest text.
  char buf[64];
  auto w = std::to_chars(buf, buf + sizeof buf, f);
  double shortest = f;
  std::from_chars(buf, w.ptr, shortest);
  out.AddFloat(std::fabs(shortest) > FLT_MAX ? static_cast<double>(f) : shortest);
}

void AddCharacters(RowBatch& out, const BinlogColumn& c, std::string_view bytes) {
  switch (c.value) {
    case BinlogValue::kLatin1: return out.AddText(Latin1ToUtf8(bytes));
    case BinlogValue::kBytes:
      if (c.width > 0 && bytes.size() < static_cast<size_t>(c.width)) {
        // BINARY(n) is logged without its trailing zero bytes; the copy reads all n.
        std::string padded(bytes);
        padded.resize(static_cast<size_t>(c.width), '\0');
        return out.AddBytes(padded);
      }
      return out.AddBytes(bytes);
    case BinlogValue::kGeometry: return out.AddBytes(bytes);
    default: return out.AddText(bytes);
  }
}

// The real type and length of a MYSQL_TYPE_STRING column from its two metadata bytes (the
// length's high bits hide in the type byte for CHAR columns longer than 255 bytes).
void StringMeta(uint16_t meta, uint8_t* real_type, uint32_t* length) {
  uint8_t b0 = static_cast<uint8_t>(meta >> 8), b1 = static_cast<uint8_t>(meta & 0xff);
  if ((b0 & 0x30) != 0x30) {
    *length = b1 | (static_cast<uint32_t>((b0 & 0x30) ^ 0x30) << 4);
    *real_type = static_cast<uint8_t>(b0 | 0x30);
  } else {
    *real_type = b0;
    *length = b1;
  }
}

}  // namespace

Status ParseTableMapColumns(std::string_view types, std::string_view metadata,
                            std::vector<BinlogColumn>& columns) {
  columns.resize(types.size());
  size_t m = 0;
  auto meta = [&](size_t bytes, size_t column) -> Result<const unsigned char*> {
    if (m + bytes > metadata.size())
      return Fail(Corrupt(fmt::format("table map metadata too short at column {}", column + 1)));
    auto* p = reinterpret_cast<const unsigned char*>(metadata.data()) + m;
    m += bytes;
    return p;
  };
  for (size_t i = 0; i < types.size(); ++i) {
    auto type = static_cast<uint8_t>(types[i]);
    BinlogColumn& c = columns[i];
    c.type = type;
    c.meta = 0;
    switch (type) {
      case MYSQL_TYPE_FLOAT:
      case MYSQL_TYPE_DOUBLE:
      case MYSQL_TYPE_BLOB:
      case MYSQL_TYPE_TINY_BLOB:
      case MYSQL_TYPE_MEDIUM_BLOB:
      case MYSQL_TYPE_LONG_BLOB:
      case MYSQL_TYPE_GEOMETRY:
      case MYSQL_TYPE_TIME2:
      case MYSQL_TYPE_DATETIME2:
      case MYSQL_TYPE_TIMESTAMP2: {
        PL_ASSIGN(auto* p, meta(1, i));
        c.meta = p[0];
        break;
      }
      case MYSQL_TYPE_VARCHAR:
      case MYSQL_TYPE_VAR_STRING: {
        PL_ASSIGN(auto* p, meta(2, i));
        c.meta = static_cast<uint16_t>(LittleEndian(p, 2));
        break;
      }
      case MYSQL_TYPE_NEWDECIMAL:
      case MYSQL_TYPE_BIT:
      case MYSQL_TYPE_STRING:
      case MYSQL_TYPE_ENUM:
      case MYSQL_TYPE_SET: {
        PL_ASSIGN(auto* p, meta(2, i));
        c.meta = static_cast<uint16_t>(p[0] << 8 | p[1]);
        break;
      }
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG:
      case MYSQL_TYPE_YEAR:
      case MYSQL_TYPE_DATE:
      case MYSQL_TYPE_NEWDATE:
      case MYSQL_TYPE_TIME:
      case MYSQL_TYPE_DATETIME:
      case MYSQL_TYPE_TIMESTAMP: break;
      default:
        return Fail(Error(ErrorCode::kUnsupported,
                          fmt::format("binlog column {} has storage type {}, which PeerLock "
                                      "cannot decode",
                                      i + 1, type))
                        .WithHint("exclude the table from sync, or copy it without sync"));
    }
  }
  return {};
}

Status BinlogRowReader::ReadImage(const std::vector<BinlogColumn>& columns,
                                  std::string_view present, RowBatch& out,
                                  std::vector<bool>& absent) {
  size_t n = columns.size();
  if (present.size() < (n + 7) / 8) return Fail(Corrupt("column bitmap shorter than the table"));
  auto is_present = [&](size_t i) {
    return (static_cast<unsigned char>(present[i / 8]) >> (i % 8)) & 1;
  };
  size_t logged = 0;
  for (size_t i = 0; i < n; ++i) logged += is_present(i);
  size_t null_bytes = (logged + 7) / 8;
  if (pos_ + null_bytes > data_.size()) return Fail(Corrupt("row image ends in its null bitmap"));
  auto* nulls = reinterpret_cast<const unsigned char*>(data_.data()) + pos_;
  pos_ += null_bytes;
  absent.assign(n, false);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!is_present(i)) {
      absent[i] = true;
      out.AddNull();
      continue;
    }
    bool null = (nulls[k / 8] >> (k % 8)) & 1;
    ++k;
    if (null) {
      out.AddNull();
      continue;
    }
    const BinlogColumn& c = columns[i];
    const size_t left = data_.size() - pos_;
    auto* p = reinterpret_cast<const unsigned char*>(data_.data()) + pos_;
    size_t size = 0;
    auto need = [&](size_t bytes) -> Status {
      if (bytes > left)
        return Fail(Corrupt(fmt::format("value of column {} runs past the event", i + 1)));
      size = bytes;
      return {};
    };
    auto integer = [&](size_t bytes) -> Status {
      PL_TRY(need(bytes));
      uint64_t u = LittleEndian(p, bytes);
      if (c.value == BinlogValue::kUnsigned) {
        if (u > static_cast<uint64_t>(INT64_MAX)) return out.AddText(std::to_string(u)), Status();
        out.AddInt(static_cast<int64_t>(u));
      } else {
        out.AddInt(SignExtend(u, bytes));
      }
      return {};
    };
    // Bytes after a little-endian length prefix of `prefix` bytes.
    auto counted = [&](size_t prefix) -> Status {
      PL_TRY(need(prefix));
      size_t length = LittleEndian(p, prefix);
      PL_TRY(need(prefix + length));
      AddCharacters(out, c, std::string_view(reinterpret_cast<const char*>(p) + prefix, length));
      return {};
    };
    switch (c.type) {
      case MYSQL_TYPE_TINY: PL_TRY(integer(1)); break;
      case MYSQL_TYPE_SHORT: PL_TRY(integer(2)); break;
      case MYSQL_TYPE_INT24: PL_TRY(integer(3)); break;
      case MYSQL_TYPE_LONG: PL_TRY(integer(4)); break;
      case MYSQL_TYPE_LONGLONG: PL_TRY(integer(8)); break;
      case MYSQL_TYPE_YEAR:
        PL_TRY(need(1));
        out.AddInt(p[0] == 0 ? 0 : 1900 + p[0]);
        break;
      case MYSQL_TYPE_FLOAT: {
        PL_TRY(need(4));
        uint32_t bits = static_cast<uint32_t>(LittleEndian(p, 4));
        float f;
        std::memcpy(&f, &bits, 4);
        if (c.value == BinlogValue::kDouble)
          out.AddFloat(f);
        else
          AddFloat32(out, f);
        break;
      }
      case MYSQL_TYPE_DOUBLE: {
        PL_TRY(need(8));
        uint64_t bits = LittleEndian(p, 8);
        double d;
        std::memcpy(&d, &bits, 8);
        out.AddFloat(d);
        break;
      }
      case MYSQL_TYPE_NEWDECIMAL: {
        int precision = c.meta >> 8, scale = c.meta & 0xff;
        if (precision <= 0 || scale > precision)
          return Fail(Corrupt(fmt::format("DECIMAL({},{}) in column {}", precision, scale, i + 1)));
        PL_TRY(need(DecimalSize(precision, scale)));
        out.AddText(DecimalText(p, size, precision, scale));
        break;
      }
      case MYSQL_TYPE_DATE:
      case MYSQL_TYPE_NEWDATE: {
        PL_TRY(need(3));
        uint64_t v = LittleEndian(p, 3);
        AddDate(out, static_cast<int64_t>(v >> 9), (v >> 5) & 15, v & 31, "");
        break;
      }
      case MYSQL_TYPE_TIME2: {
        int fsp = c.meta;
        PL_TRY(need(3 + FractionBytes(fsp)));
        int64_t packed = 0;
        int64_t intpart = static_cast<int64_t>(BigEndian(p, 3)) - 0x800000;
        if (fsp >= 5) {
          packed = static_cast<int64_t>(BigEndian(p, 6)) - 0x800000000000LL;
        } else if (fsp >= 1) {
          int64_t frac = fsp <= 2 ? p[3] : static_cast<int64_t>(BigEndian(p + 3, 2));
          int64_t wrap = fsp <= 2 ? 0x100 : 0x10000;
          if (intpart < 0 && frac) {
            ++intpart;
            frac -= wrap;
          }
          packed = intpart * (int64_t{1} << 24) + frac * (fsp <= 2 ? 10000 : 100);
        } else {
          packed = intpart * (int64_t{1} << 24);
        }
        bool negative = packed < 0;
        if (negative) packed = -packed;
        int64_t hms = packed >> 24, usec = packed % (int64_t{1} << 24);
        out.AddText((negative ? "-" : "") +
                    ClockText((hms >> 12) % (1 << 10), (hms >> 6) % 64, hms % 64) +
                    Fraction(usec, fsp));
        break;
      }
      case MYSQL_TYPE_DATETIME2: {
        int fsp = c.meta;
        PL_TRY(need(5 + FractionBytes(fsp)));
        int64_t intpart = static_cast<int64_t>(BigEndian(p, 5)) - 0x8000000000LL;
        int64_t usec = StoredFraction(p + 5, fsp, true);
        int64_t packed = intpart * (int64_t{1} << 24) + usec;
        if (packed < 0) packed = -packed;
        int64_t ymdhms = packed >> 24;
        usec = packed % (int64_t{1} << 24);
        int64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms % (1 << 17);
        AddDate(out, ym / 13, ym % 13, ymd % 32,
                " " + ClockText(hms >> 12, (hms >> 6) % 64, hms % 64) + Fraction(usec, fsp));
        break;
      }
      case MYSQL_TYPE_TIMESTAMP2: {
        int fsp = c.meta;
        PL_TRY(need(4 + FractionBytes(fsp)));
        auto seconds = static_cast<int64_t>(BigEndian(p, 4));
        int64_t usec = StoredFraction(p + 4, fsp, false);
        if (seconds == 0 && usec == 0) {
          out.AddNull();  // '0000-00-00 00:00:00', read as NULL
          break;
        }
        out.AddText(UtcText(seconds) + Fraction(usec, fsp));
        break;
      }
      case MYSQL_TYPE_TIMESTAMP: {
        PL_TRY(need(4));
        auto seconds = static_cast<int64_t>(LittleEndian(p, 4));
        if (seconds == 0)
          out.AddNull();
        else
          out.AddText(UtcText(seconds));
        break;
      }
      case MYSQL_TYPE_DATETIME: {
        PL_TRY(need(8));
        uint64_t v = LittleEndian(p, 8);
        uint64_t d = v / 1000000, t = v % 1000000;
        AddDate(out, static_cast<int64_t>(d / 10000), (d / 100) % 100, d % 100,
                " " + ClockText(static_cast<int64_t>(t / 10000), (t / 100) % 100, t % 100));
        break;
      }
      case MYSQL_TYPE_TIME: {
        PL_TRY(need(3));
        int64_t v = SignExtend(LittleEndian(p, 3), 3);
        bool negative = v < 0;
        if (negative) v = -v;
        out.AddText((negative ? "-" : "") + ClockText(v / 10000, (v / 100) % 100, v % 100));
        break;
      }
      case MYSQL_TYPE_BIT: {
        // Metadata: the bits past whole bytes, then the whole bytes.
        size_t extra_bits = (c.meta >> 8) & 0xff, bytes = c.meta & 0xff;
        size_t width = bytes * 8 + extra_bits;
        PL_TRY(need(bytes + (extra_bits ? 1 : 0)));
        std::string bits(width, '0');
        for (size_t b = 0; b < width; ++b) {
          size_t bit = width - 1 - b;  // position from the least significant bit
          if ((p[size - 1 - bit / 8] >> (bit % 8)) & 1) bits[b] = '1';
        }
        out.AddText(bits);
        break;
      }
      case MYSQL_TYPE_VARCHAR:
      case MYSQL_TYPE_VAR_STRING: PL_TRY(counted(c.meta < 256 ? 1 : 2)); break;
      case MYSQL_TYPE_BLOB:
      case MYSQL_TYPE_TINY_BLOB:
      case MYSQL_TYPE_MEDIUM_BLOB:
      case MYSQL_TYPE_LONG_BLOB:
      case MYSQL_TYPE_GEOMETRY:
        if (c.meta < 1 || c.meta > 4)
          return Fail(Corrupt(fmt::format("blob length size {} in column {}", c.meta, i + 1)));
        PL_TRY(counted(c.meta));
        break;
      case MYSQL_TYPE_STRING:
      case MYSQL_TYPE_ENUM:
      case MYSQL_TYPE_SET: {
        uint8_t real = c.type;
        uint32_t length = 0;
        StringMeta(c.meta, &real, &length);
        if (real == MYSQL_TYPE_STRING) {
          PL_TRY(counted(length < 256 ? 1 : 2));
          break;
        }
        PL_TRY(need(length));
        uint64_t v = LittleEndian(p, length);
        if (real == MYSQL_TYPE_ENUM) {
          // 0 is the empty string MariaDB stores for an invalid value.
          out.AddText(v >= 1 && v <= c.labels.size() ? c.labels[v - 1] : std::string());
          break;
        }
        std::string labels;
        for (size_t b = 0; b < c.labels.size() && b < 64; ++b) {
          if (!((v >> b) & 1)) continue;
          if (!labels.empty()) labels += ',';
          labels += c.labels[b];
        }
        out.AddText(labels);
        break;
      }
      default: return Fail(Corrupt(fmt::format("storage type {} in column {}", c.type, i + 1)));
    }
    pos_ += size;
  }
  return {};
}

std::string Latin1ToUtf8(std::string_view bytes) {
  // cp1252 0x80..0x9F; MariaDB maps its five holes to the C1 controls of the same number.
  static constexpr uint16_t kHigh[32] = {
      0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    uint32_t cp = (b >= 0x80 && b < 0xA0) ? kHigh[b - 0x80] : b;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::vector<std::string> ParseEnumLabels(std::string_view column_type) {
  std::vector<std::string> labels;
  size_t i = column_type.find('(');
  if (i == std::string_view::npos) return labels;
  for (++i; i < column_type.size(); ++i) {
    if (column_type[i] != '\'') continue;
    std::string label;
    for (++i; i < column_type.size(); ++i) {
      char c = column_type[i];
      if (c == '\'' && i + 1 < column_type.size() && column_type[i + 1] == '\'') {
        label += '\'';
        ++i;
      } else if (c == '\\' && i + 1 < column_type.size()) {
        label += column_type[++i];
      } else if (c == '\'') {
        break;
      } else {
        label += c;
      }
    }
    labels.push_back(std::move(label));
  }
  return labels;
}

}  // namespace peerlock
