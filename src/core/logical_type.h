#pragma once
// Dialect-neutral logical types. Every connector maps its native column types onto these, and
// canonical rendering (CANONICAL.md) is defined per logical type, which is what lets a row read
// from one dialect hash the same as its copy in another.

#include <optional>
#include <string>

namespace peerlock {

enum class TypeKind {
  kBool,
  kInt,      // integer of `bits` width, signed unless is_unsigned
  kDecimal,  // exact numeric, optional precision/scale
  kFloat32,
  kFloat64,
  kText,  // UTF-8 text, optional max length
  kBytes,
  kDate,
  kTime,
  kTimestamp,    // naive: never shifted
  kTimestampTz,  // compared in UTC
  kInterval,
  kUuid,
  kJson,
  kBits,
  kAny,     // dynamically typed (SQLite columns without a declared type)
  kOpaque,  // the engine's own text form; compared only within one dialect
};

struct LogicalType {
  TypeKind kind = TypeKind::kAny;
  int bits = 64;                 // kInt
  bool is_unsigned = false;      // kInt
  std::optional<int> precision;  // kDecimal; kText/kBytes max length
  std::optional<int> scale;      // kDecimal

  bool operator==(const LogicalType&) const = default;
};

// "int64", "decimal(12,2)", "text", ... as shown in inventories and accepted by plan casts.
std::string LogicalTypeName(const LogicalType& type);
// Parses the names LogicalTypeName produces (and a few aliases: integer, string, blob, real).
std::optional<LogicalType> ParseLogicalType(const std::string& name);

inline LogicalType MakeType(TypeKind kind) { return LogicalType{.kind = kind}; }

}  // namespace peerlock
