#pragma once
// Change capture from a SQLite source (Session::StartCapture / DropCapture): AFTER INSERT,
// UPDATE and DELETE triggers on every captured table record the changed keys in a changelog
// table inside the source file, in the writer's own transaction. The stream
// (sqlite_change_stream.h) re-reads the current rows by those keys.
//
// Objects created in the source (all named after CaptureSpec::name, `_peerlock_<x>` below, so
// Introspect never lists them and copy and verify ignore them):
//   _peerlock_<x>_changelog          the changelog (sql/changelog.sql)
//   _peerlock_<x>_<table>_ins|upd|del the triggers
//   _peerlock_capture                 one row per capture: its start position
//
// Every call opens its own read-write connection on the file (the copy's session is
// read-only), with the connector's busy timeout, and closes it before returning.

#include <memory>
#include <string>

#include "connector/change_capture.h"
#include "connector/endpoint.h"

namespace peerlock {

class SqliteSession;

// Names of what a capture creates.
struct SqliteCaptureNames {
  explicit SqliteCaptureNames(const std::string& capture_name);
  std::string prefix;     // "_peerlock_<x>"
  std::string changelog;  // prefix + "_changelog"
  // "ins", "upd" or "del" trigger of `table`.
  std::string Trigger(const std::string& table, const char* event) const;
};

// Creates the changelog and triggers (idempotent: existing ones are kept, and a capture that
// exists returns its recorded start). Refuses a table without a primary key: changes are
// re-read by key, and the copy's row ids are not kept by the target.
Result<std::unique_ptr<CaptureHandle>> StartSqliteCapture(const Endpoint& source,
                                                          const CaptureSpec& spec);

// Drops the triggers, the changelog and the capture's record. Succeeds when none exist.
Status DropSqliteCapture(const Endpoint& source, const CaptureSpec& spec);

// Shared with the stream:
// Whether `t` can be captured as it is now: a key, and every column still there (fails with
// kUnsupported naming the table, the missing columns and its current CREATE statement).
Status CheckCaptureTable(SqliteSession& session, const CaptureTable& t);
// Columns of `t`'s table that the spec neither delivers nor ignores: added since it was built.
Result<std::vector<std::string>> GainedColumns(SqliteSession& session, const CaptureTable& t);
// How many key columns (k1, k2, ...) the changelog has.
Result<size_t> ChangelogKeyWidth(SqliteSession& session, const std::string& changelog);

}  // namespace peerlock
