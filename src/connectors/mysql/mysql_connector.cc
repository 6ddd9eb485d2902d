#include "connectors/mysql/mysql_connector.h"

#include "connectors/mysql/mysql_session.h"

namespace peerlock {

Capabilities MysqlConnector::capabilities() const {
  return Capabilities{
      .snapshot_export = false,  // each session reads its own consistent snapshot
      .parallel_read = true,
      .max_writers = 4,
      .change_capture = true,  // binlog in ROW format (mysql_capture.h)
      .change_apply = true,
      .checksum_pushdown = true,  // ServerDigest, MariaDB <-> MariaDB
      .freeze = true,             // docs/cutover.md, "Freeze"
      .row_id = false,
      .same_dialect_ddl = true,
  };
}

Result<std::unique_ptr<Session>> MysqlConnector::Connect(const Endpoint& endpoint,
                                                         const SessionOptions& options) const {
  PL_ASSIGN(auto session, MysqlSession::Open(endpoint, options));
  return std::unique_ptr<Session>(std::move(session));
}

}  // namespace peerlock
