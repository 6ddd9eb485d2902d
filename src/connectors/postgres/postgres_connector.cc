#include "connectors/postgres/postgres_connector.h"

#include "connectors/postgres/postgres_session.h"

namespace peerlock {

Capabilities PostgresConnector::capabilities() const {
  return Capabilities{
      .snapshot_export = true,
      .parallel_read = true,
      .max_writers = 4,
      .change_capture = true,
      .change_apply = true,
      .checksum_pushdown = true,
      .freeze = true,  // docs/cutover.md, "Freeze"
      .row_id = true,  // ctid, stable within a snapshot
      .same_dialect_ddl = true,
  };
}

Result<std::unique_ptr<Session>> PostgresConnector::Connect(const Endpoint& endpoint,
                                                            const SessionOptions& options) const {
  PL_ASSIGN(auto session, PostgresSession::Open(endpoint, options));
  return std::unique_ptr<Session>(std::move(session));
}

}  // namespace peerlock
