#pragma once
// MariaDB/MySQL's dialect: backtick quoting, column type <-> logical type, and DDL rendering.
// Pure (no I/O); thread-safe.
//
// Type decisions (docs/mysql.md has the table):
//   TINYINT(1) -> bool (values other than 0/1 still compare exactly, as integers);
//   TIME -> interval (a MariaDB TIME is a signed duration up to 838:59:59, not a time of day);
//   DATETIME -> timestamp (naive), TIMESTAMP -> timestamptz (read and written in UTC);
//   YEAR -> int16; ENUM and SET -> text (their label text); BIT(n) -> bits;
//   JSON -> json; spatial types -> opaque (their WKT text, compared only MariaDB to MariaDB).
// Tables PeerLock creates default to utf8mb4 with utf8mb4_nopad_bin: byte-wise comparison with
// significant trailing spaces, as SQLite and PostgreSQL compare, so keys that differ only by
// case, accents or trailing spaces stay distinct.

#include "connector/connector.h"

namespace peerlock {

class MysqlDialect final : public Dialect {
 public:
  static constexpr int kMaxIdentifier = 64;
  // Width given to unbounded text/bytes columns that are part of a primary or unique key
  // (MariaDB cannot key a TEXT/BLOB column as a whole).
  static constexpr int kKeyTextLength = 255;

  std::string name() const override { return "mysql"; }
  std::string QuoteIdentifier(const std::string& identifier) const override;
  LogicalType ToLogical(const std::string& native_type) const override;
  TypeMapping FromLogical(const LogicalType& type) const override;
  std::vector<std::string> CreateTableSql(const Table& table) const override;
  std::vector<std::string> PostDataSql(const Table& table) const override;
  std::string DropTableSql(const std::string& table) const override;
  std::string AddColumnSql(const std::string& table, const Column& column) const override;

  // `a`, `b` quoted and comma-separated.
  std::string QuoteList(const std::vector<std::string>& identifiers) const;
  // The SHOW CREATE TABLE text without secondary indexes and foreign keys (added after the
  // data by PostDataSql); keys an AUTO_INCREMENT column needs stay.
  static std::string WithoutPostDataClauses(const std::string& create_sql);
};

}  // namespace peerlock
