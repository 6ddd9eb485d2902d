#pragma once
// The SQLite connector: scheme "sqlite", embedded files, read-only sources.

#include "connector/connector.h"
#include "connectors/sqlite/sqlite_dialect.h"

namespace peerlock {

class SqliteConnector final : public Connector {
 public:
  // Turns off SQLite's process-wide allocation statistics while SQLite is still uninitialised
  // (the first connector built, before any database opens): with them on, every allocation of
  // every connection takes one global mutex, and parallel readers of one file wait on it.
  SqliteConnector();
  std::string scheme() const override { return "sqlite"; }
  Capabilities capabilities() const override;
  const Dialect& dialect() const override { return dialect_; }
  Result<std::unique_ptr<Session>> Connect(const Endpoint& endpoint,
                                           const SessionOptions& options) const override;
  // `<dir>/<name>.db` (or `<name>-2.db`, ...) for a sqlite-database dump (sqlite_backup.cc).
  std::optional<std::string> ScratchDatabaseUrl(const std::string& format, const std::string& dir,
                                                const std::string& name) const override;

 private:
  SqliteDialect dialect_;
};

}  // namespace peerlock
