#pragma once
// How one source table lands in the target: which columns are read, what each becomes
// (renamed, cast, masked), the chunk key on both sides, the target table definition, and
// every warning about what will not carry over exactly. Built once per table per command;
// immutable afterwards, so workers share it freely.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "connector/connector.h"
#include "convert/transform_rules.h"
#include "core/catalog.h"
#include "core/key_range.h"

namespace peerlock {

struct ColumnMapping {
  std::string source_name;
  std::string target_name;
  LogicalType source_type;
  LogicalType compare_type;         // what both sides are hashed as (CANONICAL.md rule zero)
  std::optional<LogicalType> cast;  // convert values to this type
  std::optional<MaskRule> mask;
};

struct TableMapping {
  std::string source_table;
  std::string target_table;
  std::vector<ColumnMapping> columns;       // in load order; generated/dropped ones excluded
  std::vector<std::string> source_columns;  // read list, parallel to `columns`
  std::vector<std::string> target_columns;  // load list, parallel to `columns`
  std::vector<LogicalType> compare_types;   // parallel to `columns`
  KeySpec source_key;                       // primary key, or the row id when there is none
  KeySpec target_key;                       // the same key under its target names
  std::vector<int> key_positions;           // indexes into `columns` of the key columns
  bool keyless = false;                     // no primary key: verify compares whole tables
  std::string filter;                       // native predicate on the source
  bool changes_values = false;              // some cast or mask applies
  Table target;                             // the table to create
  std::vector<std::string> warnings;        // lossy mappings, objects not carried
};

// Context shared by every table of a run.
struct MappingContext {
  const Dialect* target_dialect = nullptr;
  bool same_dialect = false;
  const std::map<std::string, TableTransform>* transforms = nullptr;  // by source table
  std::set<std::string> in_scope;  // source tables being migrated
};

// Builds the mapping of `source`. Errors (kPlan) for rules that cannot apply: a cast to an
// unknown type, a key column cast, masked or dropped.
Result<TableMapping> MapTable(const Table& source, const MappingContext& context);

// The name `table` gets on the target under `transforms`.
std::string TargetTableName(const std::string& table,
                            const std::map<std::string, TableTransform>* transforms);

}  // namespace peerlock
