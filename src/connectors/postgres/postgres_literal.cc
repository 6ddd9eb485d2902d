#include "connectors/postgres/postgres_literal.h"

#include <charconv>
#include <cmath>

namespace peerlock {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// E'...' reads backslash escapes whatever standard_conforming_strings says: both the backslash
// and the quote are escaped.
void AppendEscapeString(std::string_view s, std::string& out) {
  out += "E'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += c;
    out += c;
  }
  out += '\'';
}

}  // namespace

Status AppendPgLiteral(const ValueView& v, PgCell cell, std::string& out) {
  char buf[64];
  std::to_chars_result number{buf, std::errc()};
  switch (v.kind) {
    case ValueKind::kNull: out += "NULL"; return {};
    case ValueKind::kInt: number = std::to_chars(buf, buf + sizeof buf, v.i); break;
    case ValueKind::kFloat:
      if (std::isnan(v.f)) {
        out += "'NaN'";
        return {};
      }
      if (std::isinf(v.f)) {
        out += v.f > 0 ? "'Infinity'" : "'-Infinity'";
        return {};
      }
      number = std::to_chars(buf, buf + sizeof buf, v.f);
      break;
    case ValueKind::kText:
    case ValueKind::kBytes:
      if (cell == PgCell::kBytes) {
        out += "E'\\\\x";
        for (unsigned char b : v.s) {
          out += kHex[b >> 4];
          out += kHex[b & 15];
        }
        out += '\'';
        return {};
      }
      if (v.s.find('\0') != std::string_view::npos) return Fail(NulInTextColumnError());
      AppendEscapeString(v.s, out);
      return {};
  }
  // Quoted too: the column's input function reads it (a bare 1e+30 would be numeric first).
  out += '\'';
  out.append(buf, number.ptr);
  out += '\'';
  return {};
}

Status AppendPgLiteralRow(const RowBatch& batch, size_t row, const std::vector<PgCell>& cells,
                          std::string& out, int* bad_column) {
  out += '(';
  for (int c = 0; c < batch.columns(); ++c) {
    if (c) out += ", ";
    if (auto st = AppendPgLiteral(batch.Get(row, c), cells[c], out); !st) {
      if (bad_column) *bad_column = c;
      return st;
    }
  }
  out += ')';
  return {};
}

}  // namespace peerlock
