#include "core/canonical.h"

#include <xxhash.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/strings.h"

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

}  // namespace

std::string CanonicalDecimalText(std::string_view text) {
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t == "NaN" || t == "nan") return "NaN";
  if (t == "Infinity" || t == "inf") return negative ? "-Infinity" : "Infinity";
  // Split mantissa and exponent; validate digits.
  size_t e = t.find_first_of("eE");
  std::string_view mant = t.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp_text = t.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    auto parsed = ParseInt64(exp_text);
    if (!parsed || *parsed > 100000 || *parsed < -100000) return std::string(text);
    exponent = *parsed;
  }
  std::string digits;
  int64_t point = -1;
  for (char c : mant) {
    if (c == '.' && point < 0) {
      point = static_cast<int64_t>(digits.size());
    } else if (c >= '0' && c <= '9') {
      digits += c;
    } else {
      return std::string(text);
    }
  }
  if (digits.empty()) return std::string(text);
  if (point < 0) point = static_cast<int64_t>(digits.size());
  point += exponent;
  // Pad so the point falls inside the digit string.
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (point > static_cast<int64_t>(digits.size())) digits.append(point - digits.size(), '0');
  std::string int_part = digits.substr(0, point), frac = digits.substr(point);
  size_t nz = int_part.find_first_not_of('0');
  int_part = nz == std::string::npos ? "0" : int_part.substr(nz);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out;
  if (negative && !(int_part == "0" && frac.empty())) out += '-';
  out += int_part;
  if (!frac.empty()) out += "." + frac;
  return out;
}

void AppendCanonical(const LogicalType& type, const ValueView& v, std::string& out) {
  switch (type.kind) {
    case TypeKind::kBool:
      if (v.kind == ValueKind::kInt && (v.i == 0 || v.i == 1)) {
        out += v.i ? 't' : 'f';
        return;
      }
      break;
    case TypeKind::kInt:
      if (v.kind == ValueKind::kInt) return AppendInt(v.i, out);
      break;
    case TypeKind::kDecimal:
      if (v.kind == ValueKind::kInt) return AppendInt(v.i, out);
      if (v.kind == ValueKind::kFloat) return AppendDecimalFromDouble(v.f, out);
      if (v.kind == ValueKind::kText) {
        out += CanonicalDecimalText(v.s);
        return;
      }
      break;
    case TypeKind::kFloat64:
      if (v.kind == ValueKind::kFloat) return AppendShortest(v.f, out);
      break;
    case TypeKind::kFloat32:
      if (v.kind == ValueKind::kFloat) return AppendShortestFloat32(v.f, out);
      break;
    case TypeKind::kJson:
      if (v.kind == ValueKind::kText) return AppendJson(v.s, out);
      break;
    case TypeKind::kUuid:
      if (v.kind == ValueKind::kText) {
        out += ToLower(v.s);
        return;
      }
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
