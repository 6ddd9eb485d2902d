#pragma once
// Ranges of a MariaDB table's single integer primary key, found from its bounds alone. Reading
// every key in order to pick split points costs a scan of the whole clustered index (5 s for
// 5M rows); MIN and MAX come from the index's two ends. A range of W consecutive integers holds
// at most W rows whatever the key's gaps, so even ranges bound a chunk as tightly as counted
// ones; the gaps only make some chunks smaller. Thread-safe (no shared state).

#include <cstdint>
#include <optional>
#include <string>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_dialect.h"
#include "core/integer_ranges.h"

namespace peerlock {

struct IntegerKeyBounds {
  int64_t min = 0, max = 0;
  int64_t estimated_rows = 0;  // information_schema's estimate (InnoDB samples it)
};

// The bounds of `table`'s key column `key` when its type is an integer one and the table has
// rows; nullopt otherwise (also for BIGINT UNSIGNED values beyond int64).
Result<std::optional<IntegerKeyBounds>> FindIntegerKeyBounds(MysqlConnection& conn,
                                                             const MysqlDialect& dialect,
                                                             const std::string& table,
                                                             const std::string& key);

// Whether even ranges of `width` keys over `bounds` make at most twice the chunks counted
// ones would: the key is dense enough (a sparse key would make many near-empty chunks).
bool DenseEnough(const IntegerKeyBounds& bounds, int64_t width);

}  // namespace peerlock
