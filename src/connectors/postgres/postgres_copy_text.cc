#include "connectors/postgres/postgres_copy_text.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace peerlock {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Resolves COPY backslash escapes of `field` into `out` (cleared first).
void Unescape(std::string_view field, std::string& out) {
  out.clear();
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c != '\\' || i + 1 == field.size()) {
      out += c;
      continue;
    }
    char n = field[++i];
    switch (n) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        int v = 0, digits = 0;
        while (digits < 2 && i + 1 < field.size() && HexValue(field[i + 1]) >= 0)
          v = v * 16 + HexValue(field[++i]), ++digits;
        out += static_cast<char>(v);
        break;
      }
      default:
        if (n >= '0' && n <= '7') {
          int v = n - '0', digits = 1;
          while (digits < 3 && i + 1 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '7')
            v = v * 8 + (field[++i] - '0'), ++digits;
          out += static_cast<char>(v);
        } else {
          out += n;
        }
    }
  }
}

bool ParseFloat(std::string_view s, double& v) {
  if (s == "NaN") {
    v = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s == "Infinity") {
    v = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-Infinity") {
    v = -std::numeric_limits<double>::infinity();
    return true;
  }
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

Status BadField(std::string_view field, const char* kind, size_t column) {
  return Fail(ErrorCode::kInternal, "COPY field " + std::to_string(column + 1) + " '" +
                                        std::string(field.substr(0, 40)) + "' is not a " + kind);
}

void AppendEscaped(std::string_view s, std::string& out) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    const char* esc = nullptr;
    switch (c) {
      case '\\': esc = "\\\\"; break;
      case '\t': esc = "\\t"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      default: continue;
    }
    out.append(s.substr(start, i - start));
    out += esc;
    start = i + 1;
  }
  out.append(s.substr(start));
}

void AppendByteaHex(std::string_view bytes, std::string& out) {
  out += "\\\\x";  // the bytea "\x" prefix, its backslash escaped for COPY
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

}  // namespace

PgCell PgCellFor(const std::string& t) {
  if (t == "bigint" || t == "integer" || t == "smallint" || t == "oid") return PgCell::kInt;
  if (t == "double precision" || t == "real") return PgCell::kFloat;
  if (t == "boolean") return PgCell::kBool;
  if (t == "bytea") return PgCell::kBytes;
  return PgCell::kText;
}

Status DecodeTextValue(std::string_view field, PgCell cell, RowBatch& batch, std::string& scratch,
                       size_t column) {
  switch (cell) {
    case PgCell::kInt: {
      int64_t v = 0;
      auto res = std::from_chars(field.data(), field.data() + field.size(), v);
      if (res.ec != std::errc() || res.ptr != field.data() + field.size())
        return BadField(field, "integer", column);
      batch.AddInt(v);
      break;
    }
    case PgCell::kFloat: {
      double v = 0;
      if (!ParseFloat(field, v)) return BadField(field, "float", column);
      batch.AddFloat(v);
      break;
    }
    case PgCell::kBool:
      if (field != "t" && field != "f") return BadField(field, "boolean", column);
      batch.AddInt(field == "t" ? 1 : 0);
      break;
    case PgCell::kBytes: {
      // bytea_output = hex: "\x0a0b".
      if (field.size() < 2 || field.substr(0, 2) != "\\x") return BadField(field, "bytea", column);
      std::string_view hex = field.substr(2);
      if (hex.size() % 2) return BadField(field, "bytea", column);
      scratch.resize(hex.size() / 2);
      for (size_t i = 0; i < scratch.size(); ++i) {
        int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return BadField(field, "bytea", column);
        scratch[i] = static_cast<char>(hi * 16 + lo);
      }
      batch.AddBytes(scratch);
      break;
    }
    case PgCell::kText: batch.AddText(field); break;
  }
  return {};
}

Status DecodeCopyRow(std::string_view line, const std::vector<PgCell>& cells, RowBatch& batch,
                     std::string& scratch) {
  thread_local std::string unescaped;
  size_t pos = 0;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (pos > line.size())
      return Fail(ErrorCode::kInternal, "COPY row has " + std::to_string(c) + " fields, expected " +
                                            std::to_string(cells.size()));
    size_t tab = line.find('\t', pos);
    if (tab == std::string_view::npos) tab = line.size();
    std::string_view field = line.substr(pos, tab - pos);
    pos = tab + 1;
    if (field == "\\N") {
      batch.AddNull();
      continue;
    }
    if (field.find('\\') != std::string_view::npos) {
      Unescape(field, unescaped);
      field = unescaped;
    }
    PL_TRY(DecodeTextValue(field, cells[c], batch, scratch, c));
  }
  if (pos <= line.size())
    return Fail(ErrorCode::kInternal,
                "COPY row has more fields than the " + std::to_string(cells.size()) + " expected");
  return {};
}

Error NulInTextColumnError() {
  return Error(ErrorCode::kDataLoss, "a NUL byte cannot be stored in a PostgreSQL text column")
      .WithHint(
          "map the column to bytes with a cast rule (cast: bytes), or remove the NUL from "
          "the source row");
}

Status EncodeCopyRow(const RowBatch& batch, size_t row, const std::vector<PgCell>& cells,
                     std::string& out, int* bad_column) {
  for (int c = 0; c < batch.columns(); ++c) {
    if (c) out += '\t';
    ValueView v = batch.Get(row, c);
    PgCell target = cells[c];
    switch (v.kind) {
      case ValueKind::kNull: out += "\\N"; break;
      case ValueKind::kInt: {
        char buf[24];
        auto res = std::to_chars(buf, buf + sizeof buf, v.i);
        out.append(buf, res.ptr);
        break;
      }
      case ValueKind::kFloat: {
        if (std::isnan(v.f)) {
          out += "NaN";
        } else if (std::isinf(v.f)) {
          out += v.f > 0 ? "Infinity" : "-Infinity";
        } else {
          char buf[64];
          auto res = std::to_chars(buf, buf + sizeof buf, v.f);
          out.append(buf, res.ptr);
        }
        break;
      }
      case ValueKind::kText:
      case ValueKind::kBytes:
        if (target == PgCell::kBytes) {
          AppendByteaHex(v.s, out);
        } else {
          if (v.s.find('\0') != std::string_view::npos) {
            if (bad_column) *bad_column = c;
            return Fail(NulInTextColumnError());
          }
          AppendEscaped(v.s, out);
        }
        break;
    }
  }
  out += '\n';
  return {};
}

}  // namespace peerlock
