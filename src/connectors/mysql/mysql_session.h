#pragma once
// One MariaDB/MySQL connection as a PeerLock session. Reads stream (mysql_use_result) over key
// ranges inside START TRANSACTION WITH CONSISTENT SNAPSHOT, whose binlog position is recorded
// for a later change capture. Loads use LOAD DATA LOCAL INFILE fed from memory, in one
// transaction with the chunk's marker row. Foreign-key checks are off on target sessions (keys
// are added and checked after the data). Not thread-safe: one session per worker.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connector/connector.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_dialect.h"

namespace peerlock {

class MysqlSession final : public Session {
 public:
  static Result<std::unique_ptr<MysqlSession>> Open(const Endpoint& endpoint,
                                                    const SessionOptions& options);

  Result<Catalog> Introspect(bool count_rows) override;
  Status BeginSnapshot() override;
  Status EndSnapshot() override;
  Result<std::optional<Digest>> ServerDigest(const ReadSpec& spec) override;
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
  // AUTO_INCREMENT counters, one per table that has one: name = table, owner = table.column,
  // last_value = the counter minus one.
  Result<std::vector<SequenceValue>> Sequences() override;
  // Sets each table's AUTO_INCREMENT past `last_value`; the table is the owner's table when
  // set (a PostgreSQL sequence feeding orders.id sets `orders`), else the sequence's name.
  Result<SequencesSet> SetSequences(const std::vector<SequenceValue>& sequences) override;

  // Change capture from the binlog (mysql_capture.h) and change apply (mysql_apply.cc):
  // docs/mysql.md, "Change capture (peerlock sync)".
  Result<std::unique_ptr<CaptureHandle>> StartCapture(const CaptureSpec& spec) override;
  Result<std::string> CurrentPosition() override;
  Result<std::unique_ptr<ChangeStream>> OpenChangeStream(const CaptureSpec& spec,
                                                         const std::string& position) override;
  // One transaction with foreign_key_checks = 0: per table DELETE FROM (truncate), DELETE by
  // key, INSERT ... ON DUPLICATE KEY UPDATE, UPDATE of patched columns, each split to stay
  // under max_allowed_packet; then the position in _peerlock_sync.
  Status ApplyChanges(const ChangeSet& changes) override;
  Status AbandonChanges() override;
  Result<std::optional<std::string>> AppliedPosition(const std::string& stream) override;
  Status ForgetAppliedPosition(const std::string& stream) override;
  Result<std::map<std::string, std::string>> ServerFacts() override;  // mysql_facts.cc
  Result<int64_t> RunReadQuery(const std::string& sql) override;      // mysql_facts.cc
  // Cutover freeze (mysql_freeze.cc): the server-wide read_only; docs/cutover.md.
  Result<FreezeReport> Freeze(const FreezeOptions& options) override;
  Status Thaw(const FreezeOptions& options) override;
  Result<bool> Frozen(const FreezeOptions& options) override;
  Result<std::vector<std::string>> CheckFreeze(const FreezeOptions& options) override;
  // Backup, restore drill and purge (mysql_backup.cc): mariadb-dump in a snapshot opened with
  // this session's, the `mariadb` client to restore; docs/backup.md.
  Result<std::string> DumpDatabase(const std::string& path) override;
  Status RestoreDump(const std::string& path, const std::string& format) override;
  Result<int64_t> PurgeTable(const std::string& table) override;

  // The binlog position ("file:offset") of the current snapshot, or "" when the server keeps
  // no binary log (or it could not be read). Set by BeginSnapshot.
  const std::string& snapshot_position() const { return snapshot_position_; }

  // What reads and loads need to know of a column, looked up once per table per session.
  struct ColumnInfo {
    std::string name;
    std::string data_type;    // "varchar", "bigint", "point", ...
    std::string column_type;  // "varchar(40)", "bigint(20) unsigned", ...
    std::string collation;    // "" for non-text columns
  };

 private:
  MysqlSession(std::unique_ptr<MysqlConnection> conn, bool read_only)
      : conn_(std::move(conn)), read_only_(read_only) {}

  Result<const std::vector<ColumnInfo>*> Info(const std::string& table);
  // The SELECT expression of `column`: spatial columns as WKT, FLOAT as DOUBLE (MariaDB's text
  // form of a FLOAT keeps 6 digits only; `*float32` is then set).
  Result<std::string> SelectExpression(const std::string& table, const std::string& column,
                                       bool* float32 = nullptr);
  // "`a`, `b`" with text keys compared byte-wise (as every other dialect compares them).
  Result<std::string> KeyExpression(const ReadSpec& spec);
  // " WHERE <range> AND (<filter>)" or "".
  Result<std::string> WhereClause(const ReadSpec& spec);
  std::string KeyLiteral(const OwnedValue& v);
  Status EnsureBookkeeping();
  Status ApplyTable(const TableChanges& changes, size_t budget);
  Result<std::string> BinlogPosition();
  // The sums each table's counting SELECT (`select(i)` for table i of `catalog`) returns, read
  // in key ranges on parallel connections where that pays (mysql_introspect.cc).
  Result<std::vector<std::vector<int64_t>>> ScanTables(
      const Catalog& catalog, size_t count,
      const std::function<const std::string&(size_t)>& select);

  std::unique_ptr<MysqlConnection> conn_;
  bool read_only_;
  bool in_snapshot_ = false;
  bool bookkeeping_ready_ = false;
  size_t statement_budget_ = 0;  // bytes a change-apply statement may take (max_allowed_packet)
  bool apply_open_ = false;      // partial change sets applied, their transaction not yet committed
  std::string snapshot_position_;
  MysqlDialect dialect_;
  std::map<std::string, std::vector<ColumnInfo>> info_;
};

}  // namespace peerlock
