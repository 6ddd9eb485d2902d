#pragma once
// The connector SPI: the only way the engine touches a database. One Connector per dialect
// (stateless, registered once by cli/main.cc), one Session per connection. All SQL and protocol
// knowledge lives behind these interfaces, in src/connectors/<dialect>/.
//
// Threading: a Connector is shared by all threads; a Session and a RowSource belong to one
// thread at a time (the engine gives each worker its own sessions).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "connector/change_capture.h"
#include "connector/endpoint.h"
#include "core/canonical.h"
#include "core/catalog.h"
#include "core/key_range.h"
#include "core/row_batch.h"

namespace peerlock {

// What a connector can do, declared up front so the engine plans around it.
struct Capabilities {
  bool snapshot_export = false;    // several sessions can share one consistent snapshot
  bool parallel_read = true;       // sessions may read chunks concurrently
  int max_writers = 1;             // concurrent loading sessions worth running
  bool change_capture = false;     // StartCapture()/OpenChangeStream() are implemented
  bool change_apply = false;       // ApplyChanges()/AppliedPosition() are implemented
  bool checksum_pushdown = false;  // Checksum() runs inside the server
  bool freeze = false;             // Freeze()/Thaw()
  bool row_id = false;             // tables have a hidden stable row id usable as a chunk key
  bool same_dialect_ddl = false;   // native DDL of this dialect can be replayed verbatim
};

// How exactly a logical type lands in a native type.
enum class Fidelity { kExact, kWidened, kLossy, kUnsupported };
const char* FidelityName(Fidelity f);

struct TypeMapping {
  std::string native_type;
  Fidelity fidelity = Fidelity::kExact;
  std::string reason;  // why it is not exact
};

// Pure dialect knowledge: quoting, type mapping, DDL. No I/O; testable without a server.
class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string name() const = 0;
  virtual std::string QuoteIdentifier(const std::string& identifier) const = 0;
  // Native declared type -> logical type.
  virtual LogicalType ToLogical(const std::string& native_type) const = 0;
  // Logical type -> native type for a column created by PeerLock.
  virtual TypeMapping FromLogical(const LogicalType& type) const = 0;
  // Statements creating the table before data (columns, primary key, and whatever the
  // dialect cannot add later, e.g. SQLite's foreign keys). `columns[i].source_type` is used
  // verbatim when non-empty (same-dialect copies keep the declared type).
  virtual std::vector<std::string> CreateTableSql(const Table& table) const = 0;
  // Statements run after the data: indexes, unique constraints, foreign keys, checks that
  // the dialect can add to a loaded table. Idempotent (IF NOT EXISTS or equivalent).
  virtual std::vector<std::string> PostDataSql(const Table& table) const = 0;
  virtual std::string DropTableSql(const std::string& table) const = 0;
  // ALTER TABLE `table` ADD COLUMN `column` (its type: source_type when set, else FromLogical's);
  // nullable, no default. How a sync follows a column added on the source.
  virtual std::string AddColumnSql(const std::string& table, const Column& column) const = 0;
  // A statement refreshing a live table's planner statistics (and whatever else makes reading
  // it cheap) before it takes an application's traffic, or empty when the server keeps them
  // fresh itself. Runs outside a transaction, beside writers.
  virtual std::string RefreshStatisticsSql(const std::string& table) const {
    (void)table;
    return "";
  }
};

// What to read: columns of a table within a key range, in key order or not.
struct ReadSpec {
  std::string table;
  std::vector<std::string> columns;  // in output order
  KeySpec key;
  KeyRange range;
  std::vector<KeyTuple> keys;  // when not empty: only the rows with these keys (within range)
  std::string where;           // native predicate from the plan's row filter, or empty
  bool order_by_key = false;
  bool random_order = false;  // for sampling
  int64_t limit = -1;
  size_t batch_rows = 2048;
  bool with_key = false;  // append the key columns (or row id) after `columns`
};

// A stream of row batches. Next() fills `batch` (cleared first) with up to the spec's
// batch_rows rows; returns false when no rows were produced (end of stream).
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual Result<bool> Next(RowBatch& batch) = 0;
};

// One chunk in the dialect's own bulk format (PostgreSQL: binary COPY), carried from a source
// session to a target session of the same dialect without decoding a value.
struct RawChunk {
  std::vector<std::string> pieces;  // concatenated, the complete stream
  int64_t rows = 0;
  size_t bytes() const {
    size_t n = 0;
    for (const auto& p : pieces) n += p.size();
    return n;
  }
};

// Bookkeeping written in the same target transaction as a chunk's rows: the proof that the
// chunk is loaded exactly once, which a resumed copy trusts over any other record.
struct ChunkMarker {
  std::string run_id;
  std::string table;  // source table name
  int chunk = 0;
  int64_t rows = 0;
  std::string digest;  // Digest::ToString of what was loaded
};

// What Freeze/Thaw act on (see Session::Freeze).
struct FreezeOptions {
  std::vector<std::string> tables;        // the tables in scope (SQLite freezes these)
  std::chrono::milliseconds grace{5000};  // open transactions' time to finish before ending
};

struct FreezeReport {
  int sessions_ended = 0;  // application sessions ended (PostgreSQL) or killed (MariaDB)
  std::string detail;      // what was done, for the audit log
};

struct SessionOptions {
  bool read_only = false;  // sources are opened read-only: PeerLock never writes to them
  bool create = false;     // a target may be created if it does not exist
};

class Session {
 public:
  virtual ~Session() = default;

  // Tables, views and triggers. PeerLock's own bookkeeping tables are never listed.
  // When `count_rows` is set, row counts are exact (a scan per table).
  virtual Result<Catalog> Introspect(bool count_rows) = 0;

  // Begins/ends a consistent read point for the reads of this session.
  virtual Status BeginSnapshot() = 0;
  virtual Status EndSnapshot() = 0;
  // Begins a read point that other sessions of the same server can join, and returns its
  // token ("" when the dialect cannot share one: each session then reads its own snapshot).
  // The token stays valid while this session stays in the snapshot.
  virtual Result<std::string> ExportSnapshot() {
    PL_TRY(BeginSnapshot());
    return std::string();
  }
  // Begins a read point at `token` from ExportSnapshot() (or a fresh one when it is empty).
  virtual Status JoinSnapshot(const std::string& token) {
    (void)token;
    return BeginSnapshot();
  }
  // Same-dialect digest of `spec` computed inside the server, or nullopt when the dialect has
  // none. Only comparable with the same call on a session of the same dialect, over columns of
  // identical native types (CANONICAL.md, in-database digests).
  virtual Result<std::optional<Digest>> ServerDigest(const ReadSpec& spec) {
    (void)spec;
    return std::optional<Digest>();
  }

  // Keys splitting spec.range into pieces of about `rows_per_chunk` rows, ascending.
  virtual Result<std::vector<KeyTuple>> SplitPoints(const ReadSpec& spec,
                                                    int64_t rows_per_chunk) = 0;
  virtual Result<int64_t> CountRows(const ReadSpec& spec) = 0;
  virtual Result<std::unique_ptr<RowSource>> Read(const ReadSpec& spec) = 0;

  virtual Status Execute(const std::string& sql) = 0;
  virtual Result<bool> TableExists(const std::string& table) = 0;
  virtual Result<bool> TableIsEmpty(const std::string& table) = 0;

  // Loads every row of `rows` into `table` (`columns` in order) and records `marker`, in one
  // transaction: after a crash, either all of it is there or none. Returns rows loaded.
  virtual Result<int64_t> LoadChunk(const std::string& table,
                                    const std::vector<std::string>& columns, RowSource& rows,
                                    const ChunkMarker& marker) = 0;
  // Native type of each of `columns` of `table` (empty when the dialect does not say): the
  // engine passes chunks through raw only between columns of identical native types.
  virtual Result<std::vector<std::string>> ColumnTypes(const std::string& table,
                                                       const std::vector<std::string>& columns) {
    (void)table, (void)columns;
    return std::vector<std::string>();
  }
  // Reads `spec` (columns only, no key) in the native bulk format; nullopt when unsupported.
  virtual Result<std::optional<RawChunk>> ReadRaw(const ReadSpec& spec) {
    (void)spec;
    return std::optional<RawChunk>();
  }
  // LoadChunk for a RawChunk from ReadRaw of the same dialect: same transaction guarantees.
  virtual Result<int64_t> LoadRawChunk(const std::string& table,
                                       const std::vector<std::string>& columns,
                                       const RawChunk& chunk, const ChunkMarker& marker) {
    (void)table, (void)columns, (void)chunk, (void)marker;
    return Fail(ErrorCode::kInternal, "raw chunks are not supported by this dialect");
  }
  // Markers committed for `run_id`.
  virtual Result<std::vector<ChunkMarker>> LoadedChunks(const std::string& run_id) = 0;
  // Removes the bookkeeping of `run_id` (after a finished copy, or when starting over).
  virtual Status ForgetChunks(const std::string& run_id) = 0;

  // Rows violating foreign keys, as "table(rowid) -> parent" lines; empty when consistent.
  virtual Result<std::vector<std::string>> CheckForeignKeys() = 0;

  // Sequences (and auto-increment counters) with the value the next call would build on.
  virtual Result<std::vector<SequenceValue>> Sequences() { return std::vector<SequenceValue>(); }
  // Sets each named sequence so that its next value follows `last_value`; those with nothing
  // to set on this side are returned as missing, for the caller to warn or fail.
  virtual Result<SequencesSet> SetSequences(const std::vector<SequenceValue>& sequences) {
    (void)sequences;
    return SequencesSet{.set = 0, .missing = {}};
  }

  // Replays the source's own schema (types, tables, functions, ... as the native dump tool
  // would) onto this target session. `section` is "pre-data" (before rows) or "post-data"
  // (indexes, constraints, triggers after rows), or "types" (only what tables rendered by
  // PeerLock may use: types, domains, functions, sequences); `tables` limits it (empty =
  // everything).
  // Returns false when this dialect cannot clone from `source` (the engine then renders DDL).
  virtual Result<bool> CloneSchema(const Endpoint& source, const std::string& section,
                                   const std::vector<std::string>& tables, int jobs) {
    (void)source, (void)section, (void)tables, (void)jobs;
    return false;
  }

  // ---- Change capture (source side; change_capture.h) ----
  // Checks the server can capture (log format, privileges, free slots) and sets up capture of
  // `spec` (PostgreSQL: publication and logical slot; MariaDB: the binlog position; SQLite:
  // changelog triggers), returning where it starts and the snapshot that matches it.
  // Idempotent: when the capture already exists, returns its recorded start, without snapshot.
  virtual Result<std::unique_ptr<CaptureHandle>> StartCapture(const CaptureSpec& spec) {
    (void)spec;
    return Fail(ErrorCode::kUnsupported, "this dialect cannot capture changes");
  }
  // Streams the transactions committed after `position` (a CaptureHandle or ChangeTxn
  // position), on connections of its own.
  virtual Result<std::unique_ptr<ChangeStream>> OpenChangeStream(const CaptureSpec& spec,
                                                                 const std::string& position) {
    (void)spec, (void)position;
    return Fail(ErrorCode::kUnsupported, "this dialect cannot capture changes");
  }
  // The source's log position now (PostgreSQL: the WAL insert position; MariaDB: the binlog
  // file:pos; SQLite: the last changelog entry): a sync that has received up to it has every
  // change committed before this call. "" when the dialect cannot say.
  virtual Result<std::string> CurrentPosition() { return std::string(); }
  // Removes whatever StartCapture created (slot, publication, triggers, changelog). Succeeds
  // when there is nothing to remove.
  virtual Status DropCapture(const CaptureSpec& spec) {
    (void)spec;
    return {};
  }

  // ---- Change apply (target side) ----
  // Applies `changes` and records its position for its stream, in one transaction. Triggers
  // and foreign-key checks of the target do not fire where the dialect allows it (the source
  // already ran them; the changes they made are in the stream).
  // A partial set (ChangeSet::partial) leaves the transaction open for the sets that follow.
  virtual Status ApplyChanges(const ChangeSet& changes) {
    (void)changes;
    return Fail(ErrorCode::kUnsupported, "this dialect cannot apply captured changes");
  }
  // Rolls back the transaction partial sets left open (the sync stopped inside a source
  // transaction); nothing to do when none is open.
  virtual Status AbandonChanges() { return {}; }
  // The position the last ApplyChanges of `stream` recorded, or nullopt.
  virtual Result<std::optional<std::string>> AppliedPosition(const std::string& stream) {
    (void)stream;
    return std::optional<std::string>();
  }
  // The newest position of `stream` whose ApplyChanges is durable on the target (survives a
  // target crash): what the source may be told to discard log before. "" when every commit is
  // durable as it returns (the engine then confirms each applied position).
  virtual Result<std::string> DurablePosition(const std::string& stream) {
    (void)stream;
    return std::string();
  }
  // Removes the recorded position of `stream` (sync --drop).
  virtual Status ForgetAppliedPosition(const std::string& stream) {
    (void)stream;
    return {};
  }

  // ---- Freeze (cutover and rollback; engine/cutover) ----
  // Stops every writer but PeerLock: PostgreSQL makes new transactions of the database
  // read-only and ends the other sessions once their transaction finishes (at most
  // `options.grace`); MariaDB sets `read_only` (server-wide); SQLite installs triggers on
  // `options.tables` that refuse writes. PeerLock's own sessions keep writing (changes applied
  // into a frozen database). Idempotent: freezing a frozen database succeeds.
  virtual Result<FreezeReport> Freeze(const FreezeOptions& options) {
    (void)options;
    return Fail(ErrorCode::kUnsupported, "this dialect cannot be frozen for a cutover");
  }
  // Undoes Freeze (and ends sessions opened while frozen, which stay read-only otherwise).
  // Idempotent: thawing a database that is not frozen succeeds.
  virtual Status Thaw(const FreezeOptions& options) {
    (void)options;
    return Fail(ErrorCode::kUnsupported, "this dialect cannot be frozen for a cutover");
  }
  // Whether Freeze is in force (what a cutover resumed after a crash finds).
  virtual Result<bool> Frozen(const FreezeOptions& options) {
    (void)options;
    return false;
  }
  // Problems that would stop Freeze or make it leaky (missing privilege to freeze, users
  // that would write through it), as findings with the fix; empty when it will hold.
  virtual Result<std::vector<std::string>> CheckFreeze(const FreezeOptions& options) {
    (void)options;
    return std::vector<std::string>{"this dialect cannot be frozen for a cutover"};
  }

  // ---- Backup and restore (peerlock backup / restore; engine/backup) ----
  // Writes a native dump of the whole database to `path` (uncompressed; the engine compresses
  // it) and returns its format ("sqlite-database", "pg-custom", "mariadb-sql"). The dump is taken
  // in a snapshot this session then stays in, so reads that follow (the backup's digests) see
  // exactly what the dump holds; EndSnapshot ends it.
  virtual Result<std::string> DumpDatabase(const std::string& path) {
    (void)path;
    return Fail(Error(ErrorCode::kUnsupported, "this dialect has no backup yet")
                    .WithHint("back it up with the database's own tool; PeerLock backs up "
                              "SQLite, PostgreSQL and MariaDB/MySQL"));
  }
  // Loads a dump DumpDatabase wrote, of `format`, into this session's database. The engine has
  // checked that the database holds no table (Introspect): a restore never mixes with other data.
  virtual Status RestoreDump(const std::string& path, const std::string& format) {
    (void)path;
    return Fail(
        Error(ErrorCode::kUnsupported, "this dialect cannot restore a " + format + " backup")
            .WithHint("restore into a database of the dialect the backup was taken from"));
  }

  // ---- Decommission (peerlock purge; control/migration_decommission) ----
  // Deletes every row of `table` in one transaction and returns how many. Passes PeerLock's own
  // cutover freeze (a retired source is frozen) and, where the dialect can (SQLite), does not
  // fire the table's triggers. The session must have been opened writable.
  virtual Result<int64_t> PurgeTable(const std::string& table) {
    (void)table;
    return Fail(Error(ErrorCode::kUnsupported, "this dialect cannot purge tables yet")
                    .WithHint("delete the rows with the database's own client once the archive "
                              "is verified"));
  }

  // Facts about the server that `peerlock check` judges, by name (docs/check.md lists them:
  // version, wal_level, binlog_format, rls_tables, ...). A dialect reports what it can; the
  // default is none.
  virtual Result<std::map<std::string, std::string>> ServerFacts() {
    return std::map<std::string, std::string>();
  }

  // Runs a read query to completion and returns how many rows it produced (`peerlock bench`
  // times it). Results are drained, not kept. kUnsupported by default.
  virtual Result<int64_t> RunReadQuery(const std::string& sql) {
    (void)sql;
    return Fail(Error(ErrorCode::kUnsupported, "this dialect cannot run benchmark queries"));
  }
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string scheme() const = 0;
  virtual Capabilities capabilities() const = 0;
  virtual const Dialect& dialect() const = 0;
  virtual Result<std::unique_ptr<Session>> Connect(const Endpoint& endpoint,
                                                   const SessionOptions& options) const = 0;
  // A restore drill given no destination (peerlock restore without --into): the URL of a new
  // database, a file in the directory `dir` (the caller creates it) named after `name` and made
  // unique, that Session::RestoreDump can load a `format` dump into. nullopt when this dialect
  // cannot make one itself (a server's databases are created by its administrator) or does not
  // restore `format`. Does not block on I/O beyond looking at `dir`.
  virtual std::optional<std::string> ScratchDatabaseUrl(const std::string& format,
                                                        const std::string& dir,
                                                        const std::string& name) const {
    (void)format, (void)dir, (void)name;
    return std::nullopt;
  }
};

}  // namespace peerlock
