#pragma once
// One SQLite connection. Sources are opened read-only (PeerLock never writes to a source);
// targets run with foreign keys off during the load and a busy timeout so a briefly locked
// file is waited for rather than failed. Not thread-safe: one session per worker.

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>

#include "connector/connector.h"
#include "connectors/sqlite/sqlite_dialect.h"
#include "connectors/sqlite/sqlite_statement.h"

namespace peerlock {

// How long a statement waits for a lock another connection holds before it fails.
inline constexpr int kSqliteBusyTimeoutMs = 30000;

class SqliteSession final : public Session {
 public:
  static Result<std::unique_ptr<SqliteSession>> Open(const Endpoint& endpoint,
                                                     const SessionOptions& options);
  ~SqliteSession() override;

  Result<Catalog> Introspect(bool count_rows) override;
  Status BeginSnapshot() override;
  Status EndSnapshot() override;
  Result<std::vector<KeyTuple>> SplitPoints(const ReadSpec& spec, int64_t rows_per_chunk) override;
  Result<int64_t> CountRows(const ReadSpec& spec) override;
  Result<std::unique_ptr<RowSource>> Read(const ReadSpec& spec) override;
  Status Execute(const std::string& sql) override;
  Result<bool> TableExists(const std::string& table) override;
  Result<bool> TableIsEmpty(const std::string& table) override;
  Result<int64_t> LoadChunk(const std::string& table, const std::vector<std::string>& columns,
                            RowSource& rows, const ChunkMarker& marker) override;
  Result<std::vector<ChunkMarker>> LoadedChunks(const std::string& run_id) override;
  Status ForgetChunks(const std::string& run_id) override;
  Result<std::vector<std::string>> CheckForeignKeys() override;
  // The counter behind each lone INTEGER PRIMARY KEY (sqlite_sequences.cc).
  Result<std::vector<SequenceValue>> Sequences() override;
  Result<SequencesSet> SetSequences(const std::vector<SequenceValue>& sequences) override;

  // Change capture (sqlite_capture.h, sqlite_change_stream.h) on connections of its own, and
  // change apply (sqlite_apply.h) on this one.
  Result<std::unique_ptr<CaptureHandle>> StartCapture(const CaptureSpec& spec) override;
  Result<std::unique_ptr<ChangeStream>> OpenChangeStream(const CaptureSpec& spec,
                                                         const std::string& position) override;
  Result<std::string> CurrentPosition() override;
  Status DropCapture(const CaptureSpec& spec) override;
  Status ApplyChanges(const ChangeSet& changes) override;
  Status AbandonChanges() override;
  Result<std::optional<std::string>> AppliedPosition(const std::string& stream) override;
  Status ForgetAppliedPosition(const std::string& stream) override;
  Result<int64_t> RunReadQuery(const std::string& sql) override;       // sqlite_query.cc
  Result<std::string> DumpDatabase(const std::string& path) override;  // sqlite_backup.cc
  Status RestoreDump(const std::string& path, const std::string& format) override;
  Result<int64_t> PurgeTable(const std::string& table) override;
  // Cutover freeze (sqlite_freeze.cc): triggers refusing writes to the tables in scope;
  // docs/cutover.md.
  Result<FreezeReport> Freeze(const FreezeOptions& options) override;
  Status Thaw(const FreezeOptions& options) override;
  Result<bool> Frozen(const FreezeOptions& options) override;
  Result<std::vector<std::string>> CheckFreeze(const FreezeOptions& options) override;

  // The connection, for the capture and apply code that runs on a session's connection.
  sqlite3* handle() const { return db_; }
  // The pragmas to restore when the apply transaction that partial change sets left open ends;
  // nullopt when none is open (sqlite_apply.cc).
  struct OpenApply {
    int64_t foreign_keys = 0;
    int64_t synchronous = 0;
  };
  std::optional<OpenApply>& open_apply() { return open_apply_; }

 private:
  SqliteSession(sqlite3* db, Endpoint endpoint)
      : db_(db), endpoint_(std::move(endpoint)), path_(endpoint_.path()) {}

  // SQL pieces shared by reads, counts and splits.
  std::string KeyExpression(const KeySpec& key) const;  // "a", "b" or _rowid_
  std::string WhereClause(const ReadSpec& spec) const;  // " WHERE ..." or ""
  Status BindRange(SqliteStatement& stmt, const ReadSpec& spec) const;
  Result<Table> IntrospectTable(const std::string& name, const std::string& sql);
  Status CountOffTypeValues(std::vector<Table>& tables);
  Result<std::vector<int64_t>> ScanOffTypeValues(const Table& table,
                                                 std::optional<std::pair<int64_t, int64_t>> range);
  Status EnsureBookkeeping();
  Result<std::vector<std::string>> FreezeTriggers();  // sqlite_freeze.cc

  sqlite3* db_;
  Endpoint endpoint_;  // capture opens connections of its own on the same file
  std::string path_;
  SqliteDialect dialect_;
  bool in_snapshot_ = false;
  std::optional<OpenApply> open_apply_;
};

}  // namespace peerlock
