#include "connectors/sqlite/sqlite_change_stream.h"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "base/strings.h"
#include "connectors/sqlite/sqlite_capture.h"
#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_transaction.h"

namespace peerlock {
namespace {

Result<int64_t> ParsePosition(const std::string& position) {
  auto value = ParseInt64(position);
  if (!value || *value < 0)
    return Fail(ErrorCode::kInvalidArgument,
                "'" + position + "' is not a SQLite changelog position (a sequence number)");
  return *value;
}

// One key changed in the changelog rows of a poll.
struct ChangedKey {
  int table = 0;
  KeyTuple key;
  bool inserted = false;  // its first row in the poll was an insert
  int64_t last_seq = 0;
};

class SqliteChangeStream final : public ChangeStream {
 public:
  SqliteChangeStream(std::unique_ptr<SqliteSession> session, CaptureSpec spec, int64_t position)
      : session_(std::move(session)),
        spec_(std::move(spec)),
        names_(spec_.name),
        position_(position) {}

  Status Prepare(size_t width);
  Result<std::optional<ChangeTxn>> Next(std::chrono::milliseconds wait) override;
  Status Confirm(const std::string& position) override;
  Result<CaptureLag> Lag() override;
  // Every changelog entry up to the last one Next returned has been delivered.
  Result<std::string> Received() override { return std::to_string(position_); }
  std::optional<bool> Reached(const std::string& position, const std::string& stop_at) override;

 private:
  Result<std::optional<ChangeTxn>> Poll();
  Status Trim(bool wait);
  Status CheckSchema();
  Status ReadRows(ChangeTxn& txn, const std::vector<ChangedKey>& keys);
  Result<int64_t> Pragma(std::optional<SqliteStatement>& stmt);

  std::unique_ptr<SqliteSession> session_;
  CaptureSpec spec_;
  SqliteCaptureNames names_;
  int64_t position_;
  std::map<std::string, int> tables_;  // captured table -> index into spec_.tables
  std::optional<SqliteStatement> poll_, lag_, trim_, data_version_, schema_version_;
  std::vector<SqliteStatement> lookups_;  // per table: its row by key
  int64_t seen_data_version_ = -1;
  int64_t seen_schema_version_ = -1;
  bool more_ = true;  // the changelog may hold rows not yet read
  int64_t confirmed_ = 0, trimmed_ = 0;
  std::chrono::steady_clock::time_point last_trim_ = std::chrono::steady_clock::now();
};

Status SqliteChangeStream::Prepare(size_t width) {
  SqliteDialect d;
  sqlite3* db = session_->handle();
  std::vector<std::string> keys, bytes = {"24", "length(tbl)"};
  for (size_t i = 1; i <= width; ++i) {
    keys.push_back("k" + std::to_string(i));
    bytes.push_back("coalesce(length(k" + std::to_string(i) + "), 0)");
  }
  std::string changelog = d.QuoteIdentifier(names_.changelog);
  std::string size = Join(bytes, " + ");
  PL_ASSIGN(auto poll, SqliteStatement::Prepare(
                           db, "SELECT seq, at_us, tbl, op, " + size +
                                   (keys.empty() ? "" : ", " + Join(keys, ", ")) + " FROM " +
                                   changelog + " WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  poll_.emplace(std::move(poll));
  PL_ASSIGN(auto lag, SqliteStatement::Prepare(db, "SELECT coalesce(sum(CASE WHEN seq > ?1 THEN " +
                                                       size + " END), 0), " + "coalesce(sum(" +
                                                       size + "), 0) FROM " + changelog));
  lag_.emplace(std::move(lag));
  // The newest row stays: an empty table would hand out its sequence numbers again.
  PL_ASSIGN(auto trim, SqliteStatement::Prepare(db, "DELETE FROM " + changelog +
                                                        " WHERE seq <= ?1 AND seq < (SELECT "
                                                        "max(seq) FROM " +
                                                        changelog + ")"));
  trim_.emplace(std::move(trim));
  PL_ASSIGN(auto data_version, SqliteStatement::Prepare(db, "PRAGMA data_version"));
  data_version_.emplace(std::move(data_version));
  PL_ASSIGN(auto schema_version, SqliteStatement::Prepare(db, "PRAGMA schema_version"));
  schema_version_.emplace(std::move(schema_version));
  for (size_t i = 0; i < spec_.tables.size(); ++i) {
    const CaptureTable& t = spec_.tables[i];
    if (t.key.size() > width)
      return Fail(Error(ErrorCode::kInvalidArgument,
                        "table " + t.table + " is not captured by " + spec_.name)
                      .WithHint("start the capture with this table first"));
    tables_[t.table] = static_cast<int>(i);
    std::vector<std::string> where;
    for (size_t k = 0; k < t.key.size(); ++k)
      where.push_back(d.QuoteIdentifier(t.key[k]) + " IS ?" + std::to_string(k + 1));
    // An empty column list still proves the row exists.
    std::string select = t.columns.empty() ? "1" : d.QuoteList(t.columns);
    auto lookup =
        SqliteStatement::Prepare(db, "SELECT " + select + " FROM " + d.QuoteIdentifier(t.table) +
                                         " WHERE " + Join(where, " AND "));
    if (!lookup) {  // the usual reason: the table changed; say how
      PL_TRY(CheckCaptureTable(*session_, t));
      return Fail(lookup.error());
    }
    lookups_.push_back(std::move(*lookup));
  }
  return {};
}

Result<int64_t> SqliteChangeStream::Pragma(std::optional<SqliteStatement>& stmt) {
  PL_ASSIGN(bool row, stmt->Step());
  int64_t value = row ? stmt->Int(0) : 0;
  stmt->Reset();
  return value;
}

Result<std::optional<ChangeTxn>> SqliteChangeStream::Next(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    // data_version moves only when another connection commits: until then nothing is new.
    PL_ASSIGN(int64_t version, Pragma(data_version_));
    if (version != seen_data_version_) {
      seen_data_version_ = version;
      more_ = true;
    }
    if (more_) {
      PL_ASSIGN(auto txn, Poll());
      if (txn) return txn;
    }
    PL_TRY(Trim(/*wait=*/false));  // idle: a good moment to catch up on trimming
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::optional<ChangeTxn>();
    // A poll interval, not a synchronisation: SQLite has no way to wake us on a commit.
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kSqlitePollInterval, deadline - now));
  }
}

Status SqliteChangeStream::CheckSchema() {
  PL_ASSIGN(bool changelog, session_->TableExists(names_.changelog));
  if (!changelog)
    return Fail(Error(ErrorCode::kNotFound, "the changelog of capture " + spec_.name +
                                                " is gone from the source (dropped elsewhere)")
                    .WithHint("start the sync over (peerlock sync --drop, then peerlock sync)"));
  for (const auto& t : spec_.tables) {
    PL_TRY(WithContext(CheckCaptureTable(*session_, t), "the source schema changed while syncing"));
    // Before any change is read in this poll: the engine may follow the new columns and
    // reopen the stream, which re-reads the rows with them.
    PL_ASSIGN(auto gained, GainedColumns(*session_, t));
    if (!gained.empty())
      return Fail(Error(ErrorCode::kUnsupported,
                        "table " + t.table + " gained column " + Join(gained, ", ") +
                            " on the source while syncing; the sync stopped before reading on")
                      .WithHint("add the column on the target too (ALTER TABLE ... ADD COLUMN), "
                                "then run `peerlock sync` again; or copy the table again")
                      .WithNative(kGainedColumnsNative));
    PL_ASSIGN(auto triggers, SqliteStatement::Prepare(
                                 session_->handle(),
                                 "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND "
                                 "name IN (?1, ?2, ?3)"));
    // Bound without a copy (SQLITE_STATIC): the names must outlive the step.
    const std::string ins = names_.Trigger(t.table, "ins"), upd = names_.Trigger(t.table, "upd"),
                      del = names_.Trigger(t.table, "del");
    PL_TRY(triggers.BindText(1, ins));
    PL_TRY(triggers.BindText(2, upd));
    PL_TRY(triggers.BindText(3, del));
    PL_ASSIGN(bool row, triggers.Step());
    if (!row || triggers.Int(0) != 3)
      return Fail(Error(ErrorCode::kUnsupported,
                        "the change-capture triggers on table " + t.table +
                            " were dropped: its changes since then are not recorded")
                      .WithHint("start the sync over (peerlock sync --drop, then peerlock sync)"));
  }
  return {};
}

Result<std::optional<ChangeTxn>> SqliteChangeStream::Poll() {
  return InSqliteTransaction(*session_, "BEGIN", [&]() -> Result<std::optional<ChangeTxn>> {
    PL_ASSIGN(int64_t schema, Pragma(schema_version_));
    if (schema != seen_schema_version_) {
      PL_TRY(CheckSchema());
      seen_schema_version_ = schema;
    }
    ChangeTxn txn = EmptyChangeTxn(spec_);  // ReadRows fills it
    std::vector<ChangedKey> keys;
    std::map<std::string, size_t> index;  // table and encoded key -> keys[]
    int64_t rows = 0, last_seq = position_;
    SqliteStatement& poll = *poll_;
    PL_TRY(poll.BindInt(1, position_));
    PL_TRY(poll.BindInt(2, kMaxChangelogRows));
    while (true) {
      auto row = poll.Step();
      if (!row) {
        poll.Reset();
        return Fail(row.error());
      }
      if (!*row) break;
      ++rows;
      last_seq = poll.Int(0);
      txn.commit_time_us = poll.Int(1);
      txn.bytes += poll.Int(4);
      auto table = tables_.find(poll.Text(2));
      if (table == tables_.end()) continue;  // a table this stream does not follow
      ChangedKey changed{.table = table->second, .last_seq = last_seq};
      for (size_t k = 0; k < spec_.tables[table->second].key.size(); ++k)
        changed.key.push_back(poll.Owned(5 + static_cast<int>(k)));
      std::string id = std::to_string(changed.table) + ":" + EncodeKeyTuple(changed.key);
      auto [it, fresh] = index.try_emplace(id, keys.size());
      if (fresh) {
        changed.inserted = poll.Text(3) == "I";
        keys.push_back(std::move(changed));
      } else {
        keys[it->second].last_seq = last_seq;
      }
    }
    poll.Reset();
    more_ = rows == kMaxChangelogRows;
    if (rows == 0) return std::optional<ChangeTxn>();
    // Keys in the order of their last change, so a key change deletes the old key first.
    std::sort(keys.begin(), keys.end(),
              [](const ChangedKey& a, const ChangedKey& b) { return a.last_seq < b.last_seq; });
    PL_TRY(ReadRows(txn, keys));
    position_ = last_seq;
    txn.position = std::to_string(last_seq);
    return std::optional<ChangeTxn>(std::move(txn));
  });
}

// The current row of each changed key, read in the poll's transaction: present = upsert,
// absent = delete.
Status SqliteChangeStream::ReadRows(ChangeTxn& txn, const std::vector<ChangedKey>& keys) {
  for (const auto& changed : keys) {
    SqliteStatement& lookup = lookups_[changed.table];
    for (size_t k = 0; k < changed.key.size(); ++k)
      PL_TRY(lookup.Bind(static_cast<int>(k) + 1, changed.key[k].View()));
    auto found = lookup.Step();
    if (!found) {
      lookup.Reset();
      return Fail(found.error().Context("re-reading a changed row of " +
                                        spec_.tables[changed.table].table));
    }
    RowChange change{.table = changed.table};
    if (*found) {
      RowBatch& rows = txn.rows[changed.table];
      for (int c = 0; c < rows.columns(); ++c) lookup.AppendTo(c, rows);
      change.kind = changed.inserted ? ChangeKind::kInsert : ChangeKind::kUpdate;
      change.new_row = static_cast<int>(rows.rows()) - 1;
    } else {
      RowBatch& old_keys = txn.old_keys[changed.table];
      for (const auto& v : changed.key) old_keys.Add(v.View());
      change.kind = ChangeKind::kDelete;
      change.old_key = static_cast<int>(old_keys.rows()) - 1;
    }
    lookup.Reset();
    txn.changes.push_back(change);
  }
  return {};
}

Status SqliteChangeStream::Confirm(const std::string& position) {
  PL_ASSIGN(int64_t upto, ParsePosition(position));
  confirmed_ = std::max(confirmed_, upto);
  return Trim(/*wait=*/std::chrono::steady_clock::now() - last_trim_ > kSqliteTrimPatience);
}

// Deletes the confirmed changelog rows. The DELETE needs the source's write lock, which a busy
// application may hold almost all the time (SQLite's busy handler polls and rarely wins), so
// without `wait` it gives up at once and a later call tries again; after kSqliteTrimPatience
// without a trim it waits like any statement, so the log stays bounded.
Status SqliteChangeStream::Trim(bool wait) {
  if (confirmed_ <= trimmed_) return {};
  sqlite3* db = session_->handle();
  if (!wait) sqlite3_busy_timeout(db, 0);
  Status trimmed = trim_->BindInt(1, confirmed_);
  if (trimmed) trimmed = trim_->Run();
  trim_->Reset();
  if (!wait) sqlite3_busy_timeout(db, kSqliteBusyTimeoutMs);
  if (!trimmed) {
    if (!wait && trimmed.error().retryable()) return {};  // locked: later
    return Fail(trimmed.error().Context("trimming the changelog of capture " + spec_.name));
  }
  trimmed_ = confirmed_;
  last_trim_ = std::chrono::steady_clock::now();
  return {};
}

Result<CaptureLag> SqliteChangeStream::Lag() {
  SqliteStatement& lag = *lag_;
  PL_TRY(lag.BindInt(1, position_));
  auto row = lag.Step();
  CaptureLag result;
  if (row && *row) result = CaptureLag{.bytes_behind = lag.Int(0), .retained_bytes = lag.Int(1)};
  lag.Reset();
  if (!row) return Fail(row.error());
  return result;
}

std::optional<bool> SqliteChangeStream::Reached(const std::string& position,
                                                const std::string& stop_at) {
  auto at = ParseInt64(position), stop = ParseInt64(stop_at);
  if (!at || !stop) return std::nullopt;
  return *at >= *stop;
}

}  // namespace

Result<std::unique_ptr<ChangeStream>> OpenSqliteChangeStream(const Endpoint& source,
                                                             const CaptureSpec& spec,
                                                             const std::string& position) {
  PL_ASSIGN(int64_t start, ParsePosition(position));
  PL_ASSIGN(auto session, SqliteSession::Open(source, SessionOptions{.read_only = false}));
  SqliteCaptureNames names(spec.name);
  PL_ASSIGN(bool exists, session->TableExists(names.changelog));
  if (!exists)
    return Fail(Error(ErrorCode::kNotFound,
                      "change capture " + spec.name + " does not exist in '" + source.path() + "'")
                    .WithHint("start it first (peerlock sync starts it)"));
  PL_ASSIGN(size_t width, ChangelogKeyWidth(*session, names.changelog));
  auto stream = std::make_unique<SqliteChangeStream>(std::move(session), spec, start);
  PL_TRY(WithContext(stream->Prepare(width), "opening the change stream of " + spec.name));
  return std::unique_ptr<ChangeStream>(std::move(stream));
}

Result<std::unique_ptr<ChangeStream>> SqliteSession::OpenChangeStream(const CaptureSpec& spec,
                                                                      const std::string& position) {
  return OpenSqliteChangeStream(endpoint_, spec, position);
}

}  // namespace peerlock
