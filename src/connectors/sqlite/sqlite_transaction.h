#pragma once
// Runs a body inside one SQLite transaction on a session: commits when it succeeds, rolls back
// and returns its error when it fails. Blocks like the statements it runs (busy timeout).

#include <string>

#include "connectors/sqlite/sqlite_session.h"

namespace peerlock {

// `begin` is "BEGIN" (a read transaction, taken at the first read) or "BEGIN IMMEDIATE" (takes
// the write lock up front, so the body never fails half-way for want of it).
template <typename Body>
auto InSqliteTransaction(SqliteSession& session, const std::string& begin, Body&& body)
    -> decltype(body()) {
  PL_TRY(session.Execute(begin));
  auto result = body();
  if (!result) {
    (void)session.Execute("ROLLBACK");  // the body's error is the one worth reporting
    return result;
  }
  PL_TRY(session.Execute("COMMIT"));
  return result;
}

}  // namespace peerlock
