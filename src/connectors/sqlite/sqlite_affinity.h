#pragma once
// SQLite's column affinity (https://sqlite.org/datatype3.html 3.1) and the one conversion it
// makes that changes a value: text holding an integer beyond 64 bits, stored into a column of
// numeric affinity, becomes a rounded REAL. Writers check each text value before binding it, so
// such a value stops the copy with its table, key and column instead of being rounded.

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/row_batch.h"

namespace peerlock {

enum class SqliteAffinity { kText, kNumeric, kInteger, kReal, kBlob };

// The affinity SQLite gives a column declared with `declared_type`.
SqliteAffinity AffinityOf(std::string_view declared_type);

// What a writer of `columns` (an INSERT's column list) of one table needs to know.
struct SqliteWriteColumns {
  std::vector<SqliteAffinity> affinity;  // per column; kBlob for a name the table lacks
  std::vector<int> key;                  // positions in `columns` of the primary key's columns
};
Result<SqliteWriteColumns> DescribeWriteColumns(sqlite3* db, const std::string& table,
                                                const std::vector<std::string>& columns);

// Fails (kDataLoss, naming the value and the fix) when SQLite would not store `value` exactly in
// a column of `affinity`.
Status CheckStoredExactly(SqliteAffinity affinity, const ValueView& value);

// "key id=7" (or "key a=1, b=x"; "" without a key): which row an error is about.
std::string DescribeRowKey(const RowBatch& batch, size_t row, const std::vector<int>& key,
                           const std::vector<std::string>& columns);

}  // namespace peerlock
