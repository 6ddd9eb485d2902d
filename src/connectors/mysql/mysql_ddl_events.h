#pragma once
// Which tables a statement logged in the binlog (a QUERY event) changes the shape or the whole
// content of: TRUNCATE, ALTER, DROP, RENAME, CREATE OR REPLACE TABLE and DROP DATABASE, so that
// a change capture can replay truncates and stop at schema changes it cannot follow. A
// tokenizer, not a parser: identifiers may be backquoted and database-qualified; comments are
// skipped. Pure; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace peerlock {

enum class DdlKind {
  kTruncate,                // TRUNCATE [TABLE] t
  kAddNullableColumnAtEnd,  // ALTER TABLE t ADD [COLUMN] c <type> without NOT NULL/FIRST/AFTER
  kOther,                   // any other ALTER, DROP, RENAME, CREATE OR REPLACE, DROP DATABASE
};

struct DdlHit {
  DdlKind kind = DdlKind::kOther;
  std::string table;  // a table of `database` (for DROP DATABASE: "*")
};

// Tables of `database` that `sql` (run with default database `current`) truncates or alters.
std::vector<DdlHit> TablesChangedBy(std::string_view sql, const std::string& current,
                                    const std::string& database);

}  // namespace peerlock
