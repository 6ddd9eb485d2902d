#pragma once
// The MariaDB/MySQL connector: scheme "mysql" (registered with the alias "mariadb"), over
// Debian's MariaDB Connector/C. URL: mysql://user[:password]@host[:port]/database
// [?socket=/path&ssl=true&ssl_ca=...&connect_timeout=10]. Stateless; thread-safe.

#include "connector/connector.h"
#include "connectors/mysql/mysql_dialect.h"

namespace peerlock {

class MysqlConnector final : public Connector {
 public:
  std::string scheme() const override { return "mysql"; }
  Capabilities capabilities() const override;
  const Dialect& dialect() const override { return dialect_; }
  Result<std::unique_ptr<Session>> Connect(const Endpoint& endpoint,
                                           const SessionOptions& options) const override;

 private:
  MysqlDialect dialect_;
};

}  // namespace peerlock
