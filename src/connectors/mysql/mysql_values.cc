#include "connectors/mysql/mysql_values.h"

#include <charconv>
#include <cstring>

#include "base/strings.h"

namespace peerlock {
namespace {

void AppendEscaped(std::string_view v, std::string& out) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
}

}  // namespace

MysqlWriteMode WriteModeFor(const std::string& t, const std::string& column_type) {
  if (t == "binary" || t == "varbinary" || t.ends_with("blob")) return MysqlWriteMode::kHex;
  if (t == "bit") return MysqlWriteMode::kBits;
  if (t == "geometry" || t == "point" || t == "linestring" || t == "polygon" ||
      t.starts_with("multi") || t == "geometrycollection")
    return MysqlWriteMode::kGeometry;
  if (t == "date" || t == "time" || t == "datetime" || t == "timestamp")
    return MysqlWriteMode::kTemporal;
  if (column_type == "tinyint(1)") return MysqlWriteMode::kBool;
  return MysqlWriteMode::kPlain;
}

std::string WriteText(const ValueView& v, MysqlWriteMode mode) {
  char buf[64];
  std::string text;
  if (v.kind == ValueKind::kInt) {
    if (mode == MysqlWriteMode::kBits) {
      auto u = static_cast<uint64_t>(v.i);
      do {
        text.insert(text.begin(), static_cast<char>('0' + (u & 1)));
        u >>= 1;
      } while (u);
      return text;
    }
    text.assign(buf, std::to_chars(buf, buf + sizeof buf, v.i).ptr);
  } else if (v.kind == ValueKind::kFloat) {
    text.assign(buf, std::to_chars(buf, buf + sizeof buf, v.f).ptr);
  } else {
    text = v.s;
  }
  if (mode == MysqlWriteMode::kTemporal) {
    if (text.size() > 10 && text[10] == 'T') text[10] = ' ';
    for (const char* suffix : {"Z", "+00:00", "+00"})
      if (text.size() > 10 && text.ends_with(suffix)) {
        text.resize(text.size() - std::strlen(suffix));
        break;
      }
  } else if (mode == MysqlWriteMode::kBool) {
    if (text == "t" || text == "true") return "1";
    if (text == "f" || text == "false") return "0";
  }
  return text;
}

void AppendLoadField(const ValueView& v, MysqlWriteMode mode, std::string& out) {
  if (v.is_null()) {
    out += "\\N";
    return;
  }
  std::string text = WriteText(v, mode);
  if (mode == MysqlWriteMode::kHex)
    out += HexEncode(text);
  else
    AppendEscaped(text, out);
}

std::string SqlValue(const ValueView& v, MysqlWriteMode mode, MysqlConnection& conn) {
  if (v.is_null()) return "NULL";
  std::string text = WriteText(v, mode);
  switch (mode) {
    case MysqlWriteMode::kHex: return text.empty() ? "''" : "X'" + HexEncode(text) + "'";
    case MysqlWriteMode::kBits: return "cast(conv(" + conn.Literal(text) + ", 2, 10) AS UNSIGNED)";
    case MysqlWriteMode::kGeometry: {
      // WKT, or "SRID=n;WKT" as the copy reads a geometry whose SRID is not 0.
      std::string srid = "0";
      if (const size_t semicolon = text.find(';');
          text.starts_with("SRID=") && semicolon != std::string::npos) {
        srid = std::to_string(ParseInt64(text.substr(5, semicolon - 5)).value_or(0));
        text.erase(0, semicolon + 1);
      }
      return "ST_GeomFromText(" + conn.Literal(text) + ", " + srid + ")";
    }
    default: return conn.Literal(text);
  }
}

}  // namespace peerlock
