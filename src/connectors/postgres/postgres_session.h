#pragma once
// One PostgreSQL connection as a PeerLock session. Reads use COPY (SELECT ...) TO STDOUT over
// key ranges (or ctid ranges for tables without a key), inside one REPEATABLE READ snapshot
// that several sessions can share (ExportSnapshot / JoinSnapshot). Loads use COPY FROM STDIN
// in one transaction with the chunk's marker row. Not thread-safe: one session per worker.

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "connector/connector.h"
#include "connectors/postgres/postgres_connection.h"
#include "connectors/postgres/postgres_copy_binary.h"
#include "connectors/postgres/postgres_copy_text.h"
#include "connectors/postgres/postgres_dialect.h"

namespace peerlock {

class PostgresSession final : public Session {
 public:
  static Result<std::unique_ptr<PostgresSession>> Open(const Endpoint& endpoint,
                                                       const SessionOptions& options);
  ~PostgresSession() override { RemoveSchemaDump(); }

  Result<Catalog> Introspect(bool count_rows) override;
  Status BeginSnapshot() override;
  Status EndSnapshot() override;
  Result<std::string> ExportSnapshot() override;
  Status JoinSnapshot(const std::string& token) override;
  Result<std::optional<Digest>> ServerDigest(const ReadSpec& spec) override;
  Result<std::vector<KeyTuple>> SplitPoints(const ReadSpec& spec, int64_t rows_per_chunk) override;
  Result<int64_t> CountRows(const ReadSpec& spec) override;
  Result<std::unique_ptr<RowSource>> Read(const ReadSpec& spec) override;
  Status Execute(const std::string& sql) override;
  Result<bool> TableExists(const std::string& table) override;
  Result<bool> TableIsEmpty(const std::string& table) override;
  Result<int64_t> LoadChunk(const std::string& table, const std::vector<std::string>& columns,
                            RowSource& rows, const ChunkMarker& marker) override;
  Result<std::vector<std::string>> ColumnTypes(const std::string& table,
                                               const std::vector<std::string>& columns) override;
  Result<std::optional<RawChunk>> ReadRaw(const ReadSpec& spec) override;
  Result<int64_t> LoadRawChunk(const std::string& table, const std::vector<std::string>& columns,
                               const RawChunk& chunk, const ChunkMarker& marker) override;
  Result<std::vector<ChunkMarker>> LoadedChunks(const std::string& run_id) override;
  Status ForgetChunks(const std::string& run_id) override;
  Result<std::vector<std::string>> CheckForeignKeys() override;
  Result<std::vector<SequenceValue>> Sequences() override;
  Result<SequencesSet> SetSequences(const std::vector<SequenceValue>& sequences) override;
  Result<bool> CloneSchema(const Endpoint& source, const std::string& section,
                           const std::vector<std::string>& tables, int jobs) override;
  // Change capture (postgres_capture.cc) and apply (postgres_apply.cc).
  Result<std::unique_ptr<CaptureHandle>> StartCapture(const CaptureSpec& spec) override;
  Result<std::unique_ptr<ChangeStream>> OpenChangeStream(const CaptureSpec& spec,
                                                         const std::string& position) override;
  Status DropCapture(const CaptureSpec& spec) override;
  Result<std::string> CurrentPosition() override;
  Status ApplyChanges(const ChangeSet& changes) override;
  Status AbandonChanges() override;
  Result<std::optional<std::string>> AppliedPosition(const std::string& stream) override;
  Status ForgetAppliedPosition(const std::string& stream) override;
  Result<std::string> DurablePosition(const std::string& stream) override;
  Result<std::string> DumpDatabase(const std::string& path) override;  // postgres_backup.cc
  Status RestoreDump(const std::string& path, const std::string& format) override;
  Result<int64_t> PurgeTable(const std::string& table) override;
  Result<std::map<std::string, std::string>> ServerFacts() override;  // postgres_facts.cc
  Result<int64_t> RunReadQuery(const std::string& sql) override;      // postgres_facts.cc
  // Cutover freeze (postgres_freeze.cc): the database's default_transaction_read_only, and
  // the application sessions ended; docs/cutover.md.
  Result<FreezeReport> Freeze(const FreezeOptions& options) override;
  Status Thaw(const FreezeOptions& options) override;
  Result<bool> Frozen(const FreezeOptions& options) override;
  Result<std::vector<std::string>> CheckFreeze(const FreezeOptions& options) override;

 private:
  // What reads and loads need to know about a table, looked up once per session.
  struct TableInfo {
    bool partitioned = false;                  // read through the root, without ONLY
    std::map<std::string, std::string> types;  // column -> format_type
    std::vector<std::string> columns;          // in table order
    bool binary_ok = true;                     // every column survives binary COPY
    bool hash_faithful = true;                 // per-type hashes are as strict as canonical
  };

  PostgresSession(std::unique_ptr<PgConnection> conn, Endpoint endpoint, bool read_only)
      : conn_(std::move(conn)), endpoint_(std::move(endpoint)), read_only_(read_only) {}

  Result<const TableInfo*> Info(const std::string& table);
  Result<std::vector<PgCell>> Cells(const std::string& table,
                                    const std::vector<std::string>& columns);
  // The binary COPY kinds of `columns` of `table`; empty when one of them has none.
  Result<std::vector<PgBinaryType>> BinaryTypes(const std::string& table,
                                                const std::vector<std::string>& columns);
  // " FROM [ONLY] t WHERE <range> AND (<filter>)" for `spec`.
  Result<std::string> FromWhere(const ReadSpec& spec);
  Result<std::string> KeyExpression(const ReadSpec& spec);  // "a", "b" | ctid
  std::string KeyLiteral(const OwnedValue& v) const;
  Result<std::vector<KeyTuple>> SplitByPages(const ReadSpec& spec, int64_t rows_per_chunk);
  Result<std::vector<KeyTuple>> SplitIntegerKey(const ReadSpec& spec, int64_t rows_per_chunk);
  Status EnsureBookkeeping();
  void RemoveSchemaDump();
  // Runs `load` (which streams rows with COPY FROM STDIN) and the marker insert in one
  // transaction; rolls everything back on failure.
  Result<int64_t> InOneTransaction(const std::function<Result<int64_t>(bool& copying)>& load,
                                   const ChunkMarker& marker);
  // The row digest expression for ServerDigest: per-type hashes, or row text where a column
  // type has no hash function.
  Result<bool> HashRecordWorks(const ReadSpec& spec, const std::string& row);
  Result<Table> IntrospectTable(const PGresult* tables, int row);
  Status EnsureSyncBookkeeping();
  Result<std::string> StageTable(const std::string& table, const std::vector<std::string>& columns);
  Status FillStage(const std::string& table, const std::string& stage,
                   const std::vector<std::string>& columns, const RowBatch& rows, size_t first,
                   size_t last);
  // Applies one table's changes: few rows as literal statements appended to `pending` (sent
  // with the commit), many through staging (sending `pending` first).
  Status ApplyTableChanges(const TableChanges& changes, std::string& pending);
  Status InlineTableChanges(const TableChanges& t, std::string& sql);
  Result<std::string> LiteralRows(const std::string& table, const std::vector<std::string>& columns,
                                  const RowBatch& rows);
  std::string UpsertConflictClause(const TableChanges& t) const;
  // Everything committed up to WAL position `flush` is durable.
  void NoteFlushed(uint64_t flush);
  // postgres_freeze.cc: the database's own default_transaction_read_only ("" when unset), and
  // ending the application sessions started before `since` (those in a transaction get until
  // `deadline` to finish it); returns how many were ended.
  Result<std::string> ReadOnlySetting();
  Result<int> EndApplicationSessions(const std::string& since,
                                     std::chrono::steady_clock::time_point deadline);

  std::unique_ptr<PgConnection> conn_;
  Endpoint endpoint_;
  bool read_only_;
  bool in_snapshot_ = false;
  bool bookkeeping_ready_ = false;
  PostgresDialect dialect_;
  std::map<std::string, TableInfo> info_;
  std::map<std::string, bool> hash_record_ok_;  // by table
  std::string schema_dump_;                     // pg_dump archive kept between pre- and post-data
  int schema_dump_fd_ = -1;                     // the (already unlinked) archive, open
  std::string schema_dump_source_;              // the (redacted) source it was taken from
  bool sync_ready_ = false;                     // _peerlock_sync exists
  bool replica_role_ = false;                   // may set session_replication_role
  std::map<std::string, std::string> stages_;   // (table, columns) -> temp staging table
  std::set<std::string> stages_used_;           // staging tables filled in this batch
  bool apply_open_ = false;  // partial change sets applied, their transaction not yet committed
  // Batches committed without waiting for the disk: (local WAL position after the commit,
  // source position), oldest first; and the newest source position known durable.
  std::deque<std::pair<uint64_t, std::string>> undurable_;
  std::string durable_;
  std::chrono::steady_clock::time_point flushed_at_;  // when the flush position was last read
};

}  // namespace peerlock
