#include "connectors/sqlite/sqlite_connector.h"

#include <sqlite3.h>

#include <mutex>

#include "connectors/sqlite/sqlite_session.h"

namespace peerlock {

SqliteConnector::SqliteConnector() {
  static std::once_flag once;
  // SQLITE_MISUSE when SQLite is already initialised (a test that used it first): harmless.
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Capabilities SqliteConnector::capabilities() const {
  return Capabilities{
      .snapshot_export = false,  // each connection has its own read transaction
      .parallel_read = true,
      .max_writers = 1,        // one writer per file
      .change_capture = true,  // triggers and a changelog (sqlite_capture.h)
      .change_apply = true,
      .freeze = true,  // docs/cutover.md, "Freeze"
      .row_id = true,
      .same_dialect_ddl = true,
  };
}

Result<std::unique_ptr<Session>> SqliteConnector::Connect(const Endpoint& endpoint,
                                                          const SessionOptions& options) const {
  PL_ASSIGN(auto session, SqliteSession::Open(endpoint, options));
  return std::unique_ptr<Session>(std::move(session));
}

}  // namespace peerlock
