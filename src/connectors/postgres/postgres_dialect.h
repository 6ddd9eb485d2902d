#pragma once
// PostgreSQL's dialect: identifier quoting (table names may be schema-qualified as
// "schema.table"; "public" is left implicit), format_type() names <-> logical types, and DDL
// rendering for tables PeerLock creates. Pure; thread-safe.

#include "connector/connector.h"

namespace peerlock {

class PostgresDialect final : public Dialect {
 public:
  std::string name() const override { return "postgres"; }
  std::string QuoteIdentifier(const std::string& identifier) const override;
  LogicalType ToLogical(const std::string& native_type) const override;
  TypeMapping FromLogical(const LogicalType& type) const override;
  std::vector<std::string> CreateTableSql(const Table& table) const override;
  std::vector<std::string> PostDataSql(const Table& table) const override;
  std::string DropTableSql(const std::string& table) const override;
  std::string AddColumnSql(const std::string& table, const Column& column) const override;
  std::string RefreshStatisticsSql(const std::string& table) const override;

  // "schema"."table" for a PeerLock table name ("orders" = public.orders, "s.orders").
  std::string QuoteTable(const std::string& table) const;
  // "a", "b" quoted and comma-separated.
  std::string QuoteList(const std::vector<std::string>& identifiers) const;
};

// PeerLock's name for a PostgreSQL table: "orders" (public), "sales.orders", or, when a part
// holds a dot or starts with a double quote, both parts quoted: "\"my.schema\".\"t\"".
std::string PeerlockName(const std::string& schema, const std::string& name);
// Splits a PeerLock table name into schema and table ("orders" -> {"public", "orders"}).
std::pair<std::string, std::string> SplitPgTableName(const std::string& table);

}  // namespace peerlock
