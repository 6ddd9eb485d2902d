#pragma once
// The catalog: what a database holds, as introspected by a connector and shown by inventory.
// Plain data; every field has a meaning independent of dialect, with the native definition kept
// alongside where only the same dialect can reuse it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/logical_type.h"

namespace peerlock {

struct Column {
  std::string name;
  std::string source_type;  // the declared native type, verbatim ("VARCHAR(40)", "")
  LogicalType type;         // what PeerLock carries it as
  bool nullable = true;
  std::optional<std::string> default_sql;  // native default expression
  bool generated = false;                  // computed by the engine: not copied, recreated by DDL
  std::optional<std::string> generated_sql;
  // The database hands out the column's values when an insert leaves it out: MariaDB
  // AUTO_INCREMENT, PostgreSQL identity or serial, SQLite's INTEGER PRIMARY KEY. Another dialect
  // gets its own form (identity, AUTO_INCREMENT), continued from the source's counter.
  bool auto_increment = false;
  // The value the counter hands out next, where introspection reads it (MariaDB).
  std::optional<uint64_t> counter_next;
  std::string collation;         // empty = engine default
  int64_t off_type_values = -1;  // values whose storage class does not match `type` (-1: unknown)
};

struct Index {
  std::string name;
  std::vector<std::string> columns;  // empty for pure expression indexes
  bool unique = false;
  bool from_constraint = false;  // created by a UNIQUE constraint in the table definition
  std::string where;             // partial index predicate (native SQL), empty if none
  std::string native_sql;        // full native definition, for same-dialect recreation
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string on_delete = "NO ACTION";
  std::string on_update = "NO ACTION";
  bool deferrable = false;
};

struct Table {
  std::string schema;  // empty where the dialect has none (SQLite "main")
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;  // column names, in key order; empty = none
  bool has_row_id = true;                // SQLite rowid tables (a hidden stable key)
  std::vector<Index> indexes;
  std::vector<ForeignKey> foreign_keys;
  std::vector<std::string> checks;  // native CHECK expressions
  int64_t rows = -1;                // exact count where cheap, else estimate; -1 unknown
  int64_t bytes = -1;               // on-disk size incl. indexes; -1 unknown
  std::string native_sql;           // CREATE statement as the engine stores it

  const Column* FindColumn(const std::string& column) const;
  int ColumnIndex(const std::string& column) const;  // -1 if absent
};

struct View {
  std::string name;
  std::string native_sql;
  std::vector<std::string> depends_on;  // tables/views referenced, where known
};

struct Trigger {
  std::string name;
  std::string table;
  std::string native_sql;
};

// A sequence and where it stands; `last_value` is what the next value follows, `called` is
// false when no value was handed out yet (PostgreSQL's is_called).
struct SequenceValue {
  std::string name;   // schema-qualified where the dialect has schemas
  std::string owner;  // "table.column" it feeds, or empty
  int64_t last_value = 0;
  bool called = true;
};

// What setting sequences on a target did: the counters it set, and the sequences it found
// nothing on the target to set (named as given).
struct SequencesSet {
  int set = 0;
  std::vector<std::string> missing;
};

// Anything else the source holds (extensions, functions, materialized views, policies, ...):
// listed by inventory, with whether and how it is carried.
struct SchemaObject {
  std::string kind;
  std::string name;
  std::string detail;  // definition or note
};

struct Catalog {
  std::string dialect;  // "sqlite", ...
  std::string server_version;
  std::vector<Table> tables;
  std::vector<View> views;
  std::vector<Trigger> triggers;
  std::vector<SequenceValue> sequences;
  std::vector<SchemaObject> others;
  std::vector<std::string> warnings;  // dialect-specific risks (row-level security, ...)

  const Table* FindTable(const std::string& name) const;
};

}  // namespace peerlock
