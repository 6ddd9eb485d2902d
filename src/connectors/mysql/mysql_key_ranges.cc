#include "connectors/mysql/mysql_key_ranges.h"

#include <algorithm>

#include "base/strings.h"

namespace peerlock {

Result<std::optional<IntegerKeyBounds>> FindIntegerKeyBounds(MysqlConnection& conn,
                                                             const MysqlDialect& dialect,
                                                             const std::string& table,
                                                             const std::string& key) {
  const std::string q = dialect.QuoteIdentifier(key);
  PL_ASSIGN(auto rows, conn.Query("SELECT (SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE "
                                  "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
                                  conn.Literal(table) + " AND COLUMN_NAME = " + conn.Literal(key) +
                                  "), (SELECT TABLE_ROWS FROM "
                                  "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                                  "TABLE_NAME = " +
                                  conn.Literal(table) + "), MIN(" + q + "), MAX(" + q + ") FROM " +
                                  dialect.QuoteIdentifier(table)));
  if (rows.empty() || rows[0].size() < 4) return std::optional<IntegerKeyBounds>();
  const auto& r = rows[0];
  static const char* const kIntegers[] = {"tinyint", "smallint", "mediumint", "int", "bigint"};
  const std::string type = ToLower(r[0].value_or(""));
  if (std::find(std::begin(kIntegers), std::end(kIntegers), type) == std::end(kIntegers))
    return std::optional<IntegerKeyBounds>();
  auto min = ParseInt64(r[2].value_or("")), max = ParseInt64(r[3].value_or(""));
  if (!min || !max) return std::optional<IntegerKeyBounds>();  // empty, or beyond int64
  return std::optional(IntegerKeyBounds{
      .min = *min, .max = *max, .estimated_rows = ParseInt64(r[1].value_or("0")).value_or(0)});
}

namespace {
__int128 Span(const IntegerKeyBounds& b) { return static_cast<__int128>(b.max) - b.min + 1; }
}  // namespace

bool DenseEnough(const IntegerKeyBounds& bounds, int64_t width) {
  if (width <= 0) return false;
  const __int128 even_chunks = (Span(bounds) + width - 1) / width;
  const __int128 counted_chunks = std::max<int64_t>(bounds.estimated_rows, 1) / width + 1;
  return even_chunks <= 2 * counted_chunks;
}

}  // namespace peerlock
