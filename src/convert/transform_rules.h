#pragma once
// The transform rules a plan applies per table (rename, drop, cast, mask, filter), as plain
// data. Parsed by plan/, applied by convert/ to copied rows and, identically, to the source
// side of verify, so verify compares what the rules say the target should hold.

#include <map>
#include <optional>
#include <string>

namespace peerlock {

// Where something was written in the plan file (line/column 1-based; 0 = not from a file).
struct SourceLocation {
  int line = 0;
  int column = 0;
};

struct MaskRule {
  enum class Kind { kHash, kNull, kFixed };
  Kind kind = Kind::kHash;
  std::string fixed_value;  // kFixed only
};

struct ColumnTransform {
  std::optional<std::string> rename_to;
  bool drop = false;
  std::optional<std::string> cast_to;  // a logical type name (ParseLogicalType accepts it)
  std::optional<MaskRule> mask;
  SourceLocation where;
};

struct TableTransform {
  std::optional<std::string> rename_to;
  std::map<std::string, ColumnTransform> columns;  // by source column name
  std::string filter;                              // native SQL predicate on the source
  SourceLocation where;
};

}  // namespace peerlock
