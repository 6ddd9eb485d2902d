#pragma once
// The one place SQLite result codes become PeerLock errors (code, retryable flag, hint).

#include <sqlite3.h>

#include <string>

#include "base/error.h"

namespace peerlock {

// An Error for SQLite result `rc` on `db` (db may be null), with `what` as context.
Error SqliteError(sqlite3* db, int rc, const std::string& what);

}  // namespace peerlock
