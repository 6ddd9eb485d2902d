#pragma once
// The one place MySQL/MariaDB error numbers become PeerLock errors (code, retryable flag, hint).
// Hints name the fix: the GRANT that is missing, the user and password source to check, the
// host that could not be reached. No password ever appears in a message or hint.

#include <mysql.h>

#include <string>

#include "base/error.h"
#include "connector/endpoint.h"

namespace peerlock {

// An Error for the last failure on `conn`, with `what` as context.
Error MysqlError(MYSQL* conn, const std::string& what);

// An Error for error number `errnum` with server message `message`; `endpoint` (redacted) and
// its user are named in connection hints.
Error MysqlErrorFor(unsigned errnum, const std::string& message, const std::string& what,
                    const Endpoint* endpoint = nullptr);

}  // namespace peerlock
