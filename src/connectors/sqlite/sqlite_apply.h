#pragma once
// Change apply into a SQLite target (Session::ApplyChanges / AppliedPosition /
// ForgetAppliedPosition), on the target session's own connection.
//
// One ChangeSet is one BEGIN IMMEDIATE transaction (partial sets leave it open for the next):
// per table, in the set's order, a truncate
// (DELETE FROM), deletes by key, upserts (INSERT ... ON CONFLICT (key) DO UPDATE SET every other
// column: never INSERT OR REPLACE, which would also delete rows conflicting on other unique
// constraints) and patches (UPDATE of the listed columns), then the set's position in
// _peerlock_sync (sql/sync_positions.sql), committed with synchronous = FULL (durable when it
// returns: DurablePosition stays "", the engine confirms each set). Foreign keys are not enforced
// and the target's triggers do not fire (SQLITE_DBCONFIG_ENABLE_TRIGGER off for the call): the
// source already ran them, and what they changed is in the stream. Values are bound as the loader
// binds them (SqliteStatement::Bind: storage classes as given, NaN refused).

#include <optional>
#include <string>

#include "connector/change_capture.h"

namespace peerlock {

class SqliteSession;

Status ApplySqliteChanges(SqliteSession& target, const ChangeSet& changes);
// Rolls back the transaction partial sets left open (Session::AbandonChanges).
Status AbandonSqliteChanges(SqliteSession& target);
// The position last recorded for `stream`, or nullopt.
Result<std::optional<std::string>> SqliteAppliedPosition(SqliteSession& target,
                                                         const std::string& stream);
// Removes `stream`'s record (and the table with the last one).
Status ForgetSqliteAppliedPosition(SqliteSession& target, const std::string& stream);

}  // namespace peerlock
