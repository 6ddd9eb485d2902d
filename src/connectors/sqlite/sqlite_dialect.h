#pragma once
// SQLite's dialect: identifier quoting, declared type <-> logical type (following SQLite's
// affinity rules, refined by common type names), and DDL rendering. Pure; thread-safe.

#include "connector/connector.h"

namespace peerlock {

class SqliteDialect final : public Dialect {
 public:
  std::string name() const override { return "sqlite"; }
  std::string QuoteIdentifier(const std::string& identifier) const override;
  LogicalType ToLogical(const std::string& native_type) const override;
  TypeMapping FromLogical(const LogicalType& type) const override;
  std::vector<std::string> CreateTableSql(const Table& table) const override;
  std::vector<std::string> PostDataSql(const Table& table) const override;
  std::string DropTableSql(const std::string& table) const override;
  std::string AddColumnSql(const std::string& table, const Column& column) const override;

  // "a", "b" quoted and comma-separated.
  std::string QuoteList(const std::vector<std::string>& identifiers) const;
};

}  // namespace peerlock
