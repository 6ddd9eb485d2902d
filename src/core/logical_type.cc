#include "core/logical_type.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace peerlock {

std::string LogicalTypeName(const LogicalType& t) {
  switch (t.kind) {
    case TypeKind::kBool: return "bool";
    case TypeKind::kInt: return fmt::format("{}int{}", t.is_unsigned ? "u" : "", t.bits);
    case TypeKind::kDecimal:
      if (t.precision && t.scale) return fmt::format("decimal({},{})", *t.precision, *t.scale);
      if (t.precision) return fmt::format("decimal({})", *t.precision);
      return "decimal";
    case TypeKind::kFloat32: return "float32";
    case TypeKind::kFloat64: return "float64";
    case TypeKind::kText: return t.precision ? fmt::format("text({})", *t.precision) : "text";
    case TypeKind::kBytes: return t.precision ? fmt::format("bytes({})", *t.precision) : "bytes";
    case TypeKind::kDate: return "date";
    case TypeKind::kTime: return "time";
    case TypeKind::kTimestamp: return "timestamp";
    case TypeKind::kTimestampTz: return "timestamptz";
    case TypeKind::kInterval: return "interval";
    case TypeKind::kUuid: return "uuid";
    case TypeKind::kJson: return "json";
    case TypeKind::kBits: return "bits";
    case TypeKind::kAny: return "any";
    case TypeKind::kOpaque: return "opaque";
  }
  return "?";
}

std::optional<LogicalType> ParseLogicalType(const std::string& raw) {
  std::string name = ToLower(Trim(raw));
  std::optional<int> p, s;
  if (auto open = name.find('('); open != std::string::npos) {
    if (name.back() != ')') return std::nullopt;
    auto args = Split(name.substr(open + 1, name.size() - open - 2), ',');
    if (args.empty() || args.size() > 2) return std::nullopt;
    auto first = ParseInt64(Trim(args[0]));
    if (!first) return std::nullopt;
    p = static_cast<int>(*first);
    if (args.size() == 2) {
      auto second = ParseInt64(Trim(args[1]));
      if (!second) return std::nullopt;
      s = static_cast<int>(*second);
    }
    name = Trim(name.substr(0, open));
  }
  LogicalType t;
  if (name == "bool" || name == "boolean")
    t.kind = TypeKind::kBool;
  else if (name == "int" || name == "integer" || name == "int64")
    t = {.kind = TypeKind::kInt};
  else if (name == "int32")
    t = {.kind = TypeKind::kInt, .bits = 32};
  else if (name == "int16")
    t = {.kind = TypeKind::kInt, .bits = 16};
  else if (name == "int8")
    t = {.kind = TypeKind::kInt, .bits = 8};
  else if (name == "uint64")
    t = {.kind = TypeKind::kInt, .is_unsigned = true};
  else if (name == "decimal" || name == "numeric")
    t.kind = TypeKind::kDecimal;
  else if (name == "float32")
    t.kind = TypeKind::kFloat32;
  else if (name == "float64" || name == "real" || name == "double")
    t.kind = TypeKind::kFloat64;
  else if (name == "text" || name == "string")
    t.kind = TypeKind::kText;
  else if (name == "bytes" || name == "blob")
    t.kind = TypeKind::kBytes;
  else if (name == "date")
    t.kind = TypeKind::kDate;
  else if (name == "time")
    t.kind = TypeKind::kTime;
  else if (name == "timestamp")
    t.kind = TypeKind::kTimestamp;
  else if (name == "timestamptz")
    t.kind = TypeKind::kTimestampTz;
  else if (name == "interval")
    t.kind = TypeKind::kInterval;
  else if (name == "uuid")
    t.kind = TypeKind::kUuid;
  else if (name == "json")
    t.kind = TypeKind::kJson;
  else if (name == "bits")
    t.kind = TypeKind::kBits;
  else if (name == "any")
    t.kind = TypeKind::kAny;
  else
    return std::nullopt;
  if (p && t.kind != TypeKind::kDecimal && t.kind != TypeKind::kText && t.kind != TypeKind::kBytes)
    return std::nullopt;
  t.precision = p;
  t.scale = s;
  return t;
}

}  // namespace peerlock
