#pragma once
// Maps libpq failures (SQLSTATE, connection state) onto PeerLock errors with a hint that names
// the fix. The only place that knows PostgreSQL's error codes. Thread-safe (pure).

#include <libpq-fe.h>

#include <string>

#include "base/error.h"

namespace peerlock {

// An error from a failed statement result. `what` says what was being done.
Error PostgresResultError(const PGresult* result, const std::string& what);
// An error from a connection that failed to open or broke; `where` is the redacted URL.
Error PostgresConnectionError(PGconn* conn, const std::string& where, bool has_password);

}  // namespace peerlock
