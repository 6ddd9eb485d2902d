#pragma once
// The row count and canonical digest of every table a session sees, in its current snapshot:
// what a backup records and what a restore must reproduce. Same-dialect reads of the same data
// give the same digests (CANONICAL.md), so a restored copy is checked row for row without the
// original. Blocks; not thread-safe (uses the session).

#include <vector>

#include "base/cancel.h"
#include "connector/connector.h"
#include "engine/backup/backup_manifest.h"

namespace peerlock {

// Tables in the catalog's order (every table the connector lists; PeerLock's own bookkeeping
// tables are not listed by any connector).
Result<std::vector<TableDigest>> DigestTables(Session& session, const Dialect& dialect,
                                              const CancelFlag* cancel);

}  // namespace peerlock
