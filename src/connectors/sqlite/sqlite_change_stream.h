#pragma once
// The change stream of a SQLite source (Session::OpenChangeStream): reads the changelog that
// the capture's triggers write (sqlite_capture.h) and re-reads the current row of every changed
// key, both inside one read transaction per poll. A read transaction sees only committed
// writers, and SQLite commits one writer at a time, so every ChangeTxn covers whole source
// transactions (except when a backlog exceeds kMaxChangelogRows, which is then delivered in
// pieces) and holds the rows as they were at the end of the last of them.
//
// Positions are changelog sequence numbers in decimal ("0" before any change). Each changed key
// appears once per ChangeTxn: an upsert with the current row when the row exists, a delete of
// the key when it does not (an update that changed the key also deletes the old key). Rows
// hold the cells the copy reader produces (SqliteStatement::AppendTo): storage classes as
// stored.
//
// Next(wait) checks PRAGMA data_version every kPollInterval, so an idle stream costs one
// cheap pragma per interval and never re-reads the changelog until another connection commits.
// Lag is in estimated changelog bytes: 24 a row plus the table name and the key values.
// The stream owns a read-write connection (Confirm trims the changelog); one thread at a time.

#include <chrono>
#include <memory>
#include <string>

#include "connector/change_capture.h"
#include "connector/endpoint.h"

namespace peerlock {

inline constexpr std::chrono::milliseconds kSqlitePollInterval{10};
// Confirm trims the changelog only when the source's write lock is free at once (the
// application's writes come first), and waits for it after this long without a trim.
inline constexpr std::chrono::seconds kSqliteTrimPatience{30};
// Changelog rows read per poll: bounds the memory of one ChangeTxn whatever the backlog.
inline constexpr int64_t kMaxChangelogRows = 20000;

// Opens the stream of `spec`'s capture after `position`. Fails with kNotFound when the
// capture does not exist in the file (StartCapture first).
Result<std::unique_ptr<ChangeStream>> OpenSqliteChangeStream(const Endpoint& source,
                                                             const CaptureSpec& spec,
                                                             const std::string& position);

}  // namespace peerlock
