#include "core/canonical.h"

#include <xxhash.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "core/canonical_time.h"

namespace peerlock {
namespace {

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

bool AppendNonFinite(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
    return true;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
    return true;
  }
  return false;
}

void AppendShortest(double v, std::string& out) {
  if (AppendNonFinite(v, out)) return;
  if (v == 0) v = 0;  // -0 -> 0
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void AppendShortestFloat32(double v, std::string& out) {
  if (AppendNonFinite(v, out)) return;
  // Halfway between FLT_MAX and 2^128 and beyond rounds to infinity; casting such a double is
  // undefined behaviour, so it is spelled out.
  constexpr double kFloatOverflow = 0x1.ffffffp127;
  if (v >= kFloatOverflow || v <= -kFloatOverflow) {
    out += v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  float f = static_cast<float>(v);
  if (f == 0) f = 0;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f);
  out.append(buf, res.ptr);
}

// Decimal form without exponent: the shortest fixed notation that round-trips.
void AppendDecimalFromDouble(double v, std::string& out) {
  if (AppendNonFinite(v, out)) return;
  if (v == 0) v = 0;
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  out.append(buf, res.ptr);
}

void AppendCanonicalJson(const nlohmann::json& j, std::string& out) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.items()) {  // std::map order: byte order = code points
        if (!first) out += ',';
        first = false;
        out += nlohmann::json(key).dump();
        out += ':';
        AppendCanonicalJson(value, out);
      }
      out += '}';
      break;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < j.size(); ++i) {
        if (i) out += ',';
        AppendCanonicalJson(j[i], out);
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::number_float:
      AppendDecimalFromDouble(j.get<double>(), out);
      break;
    default: out += j.dump();
  }
}

void AppendJson(std::string_view text, std::string& out) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    out.append(text);  // not JSON: compare the bytes as stored
    return;
  }
  AppendCanonicalJson(parsed, out);
}

// Renders by storage class: used for kAny, kOpaque and off-type values.
void AppendByStorage(const ValueView& v, std::string& out) {
  switch (v.kind) {
    case ValueKind::kInt: AppendInt(v.i, out); break;
    case ValueKind::kFloat: AppendShortest(v.f, out); break;
    case ValueKind::kText:
    case ValueKind::kBytes: out.append(v.s); break;
    case ValueKind::kNull: break;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (AsciiLower(text[i]) != lower[i]) return false;
  return true;
}

// PostgreSQL's boolean input words, case-insensitive.
bool AppendBoolText(std::string_view text, std::string& out) {
  for (std::string_view word : {"t", "true", "1", "yes", "y", "on"}) {
    if (EqualsIgnoreCase(text, word)) {
      out += 't';
      return true;
    }
  }
  for (std::string_view word : {"f", "false", "0", "no", "n", "off"}) {
    if (EqualsIgnoreCase(text, word)) {
      out += 'f';
      return true;
    }
  }
  return false;
}

// [+-]digits of any length (unsigned 64-bit and wider values are text): no leading zeros or '+'.
bool AppendIntegerText(std::string_view text, std::string& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  for (char c : text)
    if (!IsDigit(c)) return false;
  size_t first = text.find_first_not_of('0');
  if (first == std::string_view::npos) {
    out += '0';
    return true;
  }
  if (negative) out += '-';
  out.append(text.substr(first));
  return true;
}

// from_chars is locale-independent and reads what engines print, including "NaN", "Infinity",
// "-Infinity" and exponents ("1e-05"); it rejects a leading '+', which applications may write.
bool ParseFloatText(std::string_view text, double& value) {
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
    if (text.empty() || text[0] == '-' || text[0] == '+') return false;
  }
  auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  return res.ec == std::errc() && res.ptr == text.data() + text.size();
}

// Appends digits [from, to) of a significand, skipping its decimal point at digit index `point`
// (npos when it has none).
void AppendSignificand(std::string_view mantissa, size_t point, size_t from, size_t to,
                       std::string& out) {
  if (from >= to) return;
  if (point == std::string_view::npos || to <= point) {
    out.append(mantissa.substr(from, to - from));
  } else if (from >= point) {
    out.append(mantissa.substr(from + 1, to - from));
  } else {
    out.append(mantissa.substr(from, point - from));
    out.append(mantissa.substr(point + 1, to - point));
  }
}

// Decimal text in any form engines emit ("12.50", "-0.00", "1E+3", ".5", "NaN", "-Infinity")
// without building intermediate strings; false when it is not a number.
bool AppendDecimalText(std::string_view text, std::string& out) {
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (EqualsIgnoreCase(t, "nan")) {
    out += "NaN";
    return true;
  }
  if (EqualsIgnoreCase(t, "infinity") || EqualsIgnoreCase(t, "inf")) {
    out += negative ? "-Infinity" : "Infinity";
    return true;
  }
  size_t i = 0, digits = 0, point = std::string_view::npos;
  for (; i < t.size(); ++i) {
    if (IsDigit(t[i])) {
      ++digits;
    } else if (t[i] == '.' && point == std::string_view::npos) {
      point = digits;
    } else {
      break;
    }
  }
  if (digits == 0) return false;
  std::string_view mantissa = t.substr(0, i);
  int64_t exponent = 0;
  if (i < t.size()) {
    if (t[i] != 'e' && t[i] != 'E') return false;
    bool exponent_negative = ++i < t.size() && t[i] == '-';
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    if (i == t.size()) return false;
    for (; i < t.size(); ++i) {
      if (!IsDigit(t[i])) return false;
      exponent = exponent * 10 + (t[i] - '0');
      if (exponent > 100000) return false;  // a bound on the zeros written out
    }
    if (exponent_negative) exponent = -exponent;
  }
  auto digit_at = [&](size_t k) {
    return mantissa[k + (point != std::string_view::npos && k >= point ? 1 : 0)];
  };
  size_t first = 0, last = digits;  // first and one past the last non-zero digit
  while (first < digits && digit_at(first) == '0') ++first;
  if (first == digits) {
    out += '0';
    return true;
  }
  while (digit_at(last - 1) == '0') --last;
  // The decimal point sits before digit index `at` (which may lie outside the digits).
  const int64_t at =
      static_cast<int64_t>(point == std::string_view::npos ? digits : point) + exponent;
  const auto f = static_cast<int64_t>(first), l = static_cast<int64_t>(last);
  if (negative) out += '-';
  if (at <= f) {
    out += "0.";
    out.append(static_cast<size_t>(f - at), '0');
    AppendSignificand(mantissa, point, first, last, out);
  } else if (at >= l) {
    AppendSignificand(mantissa, point, first, last, out);
    out.append(static_cast<size_t>(at - l), '0');
  } else {
    AppendSignificand(mantissa, point, first, static_cast<size_t>(at), out);
    out += '.';
    AppendSignificand(mantissa, point, static_cast<size_t>(at), last, out);
  }
  return true;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  c = AsciiLower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// 8-4-4-4-12 hex digits, optionally in braces, or 32 bare hex digits (both PostgreSQL input
// forms): lowercase with hyphens.
bool AppendUuidText(std::string_view text, std::string& out) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  const bool hyphens = text.size() == 36;
  if (!hyphens && text.size() != 32) return false;
  char buf[36];
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool hyphen_slot = hyphens && (i == 8 || i == 13 || i == 18 || i == 23);
    if (hyphen_slot != (text[i] == '-')) return false;
    if (!hyphen_slot && HexValue(text[i]) < 0) return false;
    if (!hyphens && (n == 8 || n == 13 || n == 18 || n == 23)) buf[n++] = '-';
    buf[n++] = AsciiLower(text[i]);
  }
  out.append(buf, n);
  return true;
}

}  // namespace

std::string CanonicalDecimalText(std::string_view text) {
  std::string out;
  if (!AppendDecimalText(text, out)) out.assign(text);
  return out;
}

void AppendCanonical(const LogicalType& type, const ValueView& v, std::string& out) {
  const bool text = v.kind == ValueKind::kText;
  switch (type.kind) {
    case TypeKind::kBool:
      if (v.kind == ValueKind::kInt && (v.i == 0 || v.i == 1)) {
        out += v.i ? 't' : 'f';
        return;
      }
      if (text && AppendBoolText(v.s, out)) return;
      break;
    case TypeKind::kInt:
      if (v.kind == ValueKind::kInt) return AppendInt(v.i, out);
      if (text && AppendIntegerText(v.s, out)) return;
      break;
    case TypeKind::kDecimal:
      if (v.kind == ValueKind::kInt) return AppendInt(v.i, out);
      if (v.kind == ValueKind::kFloat) return AppendDecimalFromDouble(v.f, out);
      if (text && AppendDecimalText(v.s, out)) return;
      break;
    case TypeKind::kFloat64:
    case TypeKind::kFloat32: {
      double d = v.f;
      if (v.kind != ValueKind::kFloat && !(text && ParseFloatText(v.s, d))) break;
      if (type.kind == TypeKind::kFloat32) return AppendShortestFloat32(d, out);
      return AppendShortest(d, out);
    }
    case TypeKind::kDate:
      if (text && AppendCanonicalDate(v.s, out)) return;
      break;
    case TypeKind::kTime:
      if (text && AppendCanonicalTime(v.s, out)) return;
      break;
    case TypeKind::kTimestamp:
      if (text && AppendCanonicalTimestamp(v.s, out)) return;
      break;
    case TypeKind::kTimestampTz:
      if (text && AppendCanonicalTimestampTz(v.s, out)) return;
      break;
    case TypeKind::kInterval:
      if (text && AppendCanonicalInterval(v.s, out)) return;
      break;
    case TypeKind::kJson:
      if (text) return AppendJson(v.s, out);
      break;
    case TypeKind::kUuid:
      if (text && AppendUuidText(v.s, out)) return;
      break;
    default: break;
  }
  AppendByStorage(v, out);
}

std::string Canonical(const LogicalType& type, const ValueView& value) {
  std::string out;
  if (!value.is_null()) AppendCanonical(type, value, out);
  return out;
}

RowHash HashRow(const RowBatch& batch, size_t row, const std::vector<LogicalType>& types,
                std::string& scratch) {
  scratch.clear();
  for (int c = 0; c < batch.columns(); ++c) {
    ValueView v = batch.Get(row, c);
    if (v.is_null()) {
      scratch += '\0';
      continue;
    }
    scratch += '\1';
    // Render into the tail of scratch, then splice the length prefix in front of it.
    size_t start = scratch.size();
    AppendCanonical(types[c], v, scratch);
    uint64_t len = scratch.size() - start;
    char leb[10];
    int n = 0;
    do {
      uint8_t byte = len & 0x7f;
      len >>= 7;
      leb[n++] = static_cast<char>(byte | (len ? 0x80 : 0));
    } while (len);
    scratch.insert(start, leb, n);
  }
  XXH128_hash_t h = XXH3_128bits(scratch.data(), scratch.size());
  return (static_cast<RowHash>(h.high64) << 64) | h.low64;
}

std::string Digest::ToString() const {
  char hex[33];
  RowHash s = sum;
  for (int i = 31; i >= 0; --i) {
    hex[i] = "0123456789abcdef"[s & 15];
    s >>= 4;
  }
  hex[32] = 0;
  return std::to_string(rows) + ":" + hex;
}

bool Digest::Parse(const std::string& text, Digest& out) {
  auto colon = text.find(':');
  if (colon == std::string::npos || text.size() - colon - 1 != 32) return false;
  auto rows = ParseInt64(std::string_view(text).substr(0, colon));
  if (!rows) return false;
  RowHash s = 0;
  for (size_t i = colon + 1; i < text.size(); ++i) {
    char c = text[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    s = (s << 4) | static_cast<unsigned>(d);
  }
  out = Digest{*rows, s};
  return true;
}

}  // namespace peerlock
