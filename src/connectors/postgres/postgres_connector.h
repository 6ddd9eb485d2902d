#pragma once
// The PostgreSQL connector: schemes "postgresql" and "postgres", libpq, binary-safe COPY
// streams, snapshots shared across sessions, in-database digests, pg_dump schema cloning.

#include "connector/connector.h"
#include "connectors/postgres/postgres_dialect.h"

namespace peerlock {

class PostgresConnector final : public Connector {
 public:
  explicit PostgresConnector(std::string scheme = "postgresql") : scheme_(std::move(scheme)) {}
  std::string scheme() const override { return scheme_; }
  Capabilities capabilities() const override;
  const Dialect& dialect() const override { return dialect_; }
  Result<std::unique_ptr<Session>> Connect(const Endpoint& endpoint,
                                           const SessionOptions& options) const override;

 private:
  std::string scheme_;
  PostgresDialect dialect_;
};

}  // namespace peerlock
