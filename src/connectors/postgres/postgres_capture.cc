#include "connectors/postgres/postgres_capture.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <utility>

#include "base/log.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_connection.h"
#include "connectors/postgres/postgres_copy_text.h"
#include "connectors/postgres/postgres_dialect.h"
#include "connectors/postgres/postgres_errors.h"
#include "connectors/postgres/postgres_pgoutput.h"
#include "connectors/postgres/postgres_session.h"

namespace peerlock {
namespace {

using Clock = std::chrono::steady_clock;

// The session settings copy reads with (postgres_connection.cc): the walsender renders values
// with its own session's settings, and captured values must read exactly like copied ones.
constexpr char kValueSettings[] =
    "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
    "SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'";

std::string Ident(const std::string& name) {
  PostgresDialect dialect;
  return dialect.QuoteIdentifier(name);
}

Status Preflight(PgConnection& sql, const CaptureSpec& spec) {
  PL_ASSIGN(auto level, sql.QueryValue("SHOW wal_level"));
  if (level.value_or("") != "logical")
    return Fail(Error(ErrorCode::kUnsupported, "PostgreSQL on " + sql.where() +
                                                   " has wal_level = " + level.value_or("?") +
                                                   "; change capture needs logical decoding")
                    .WithHint("set wal_level = logical in postgresql.conf (ALTER SYSTEM SET "
                              "wal_level = logical) and restart the server"));
  PL_ASSIGN(auto can, sql.QueryValue("SELECT rolsuper OR rolreplication FROM pg_roles "
                                     "WHERE rolname = current_user"));
  if (can.value_or("f") != "t")
    return Fail(Error(ErrorCode::kBlocked,
                      "PostgreSQL user on " + sql.where() + " may not open replication streams")
                    .WithHint("run as a superuser: ALTER ROLE <peerlock user> REPLICATION;"));
  PostgresDialect dialect;
  for (const CaptureTable& t : spec.tables) {
    if (t.key.empty())
      return Fail(Error(ErrorCode::kUnsupported,
                        "table " + t.table + " has no primary key: its changes cannot be applied")
                      .WithHint("add a primary key to " + t.table +
                                ", or exclude it from the sync (tables.exclude)"));
  }
  return {};
}

// The publication's table list: every captured table, partitions published through the root.
Status EnsurePublication(PgConnection& sql, const CaptureSpec& spec) {
  PostgresDialect dialect;
  std::vector<std::string> tables;
  for (const CaptureTable& t : spec.tables) tables.push_back(dialect.QuoteTable(t.table));
  std::string list = Join(tables, ", ");
  PL_ASSIGN(auto exists,
            sql.QueryValue("SELECT 1 FROM pg_publication WHERE pubname = $1", {spec.name}));
  if (exists) return sql.Execute("ALTER PUBLICATION " + Ident(spec.name) + " SET TABLE " + list);
  return sql.Execute("CREATE PUBLICATION " + Ident(spec.name) + " FOR TABLE " + list +
                     " WITH (publish_via_partition_root = true)");
}

class PgCaptureHandle final : public CaptureHandle {
 public:
  PgCaptureHandle(std::string position, std::string snapshot, std::unique_ptr<PgConnection> holder)
      : position_(std::move(position)),
        snapshot_(std::move(snapshot)),
        holder_(std::move(holder)) {}
  const std::string& position() const override { return position_; }
  const std::string& snapshot() const override { return snapshot_; }
  Status ReleaseSnapshot() override {
    holder_.reset();  // the exported snapshot lives as long as the slot's creating connection
    snapshot_.clear();
    return {};
  }

 private:
  std::string position_, snapshot_;
  std::unique_ptr<PgConnection> holder_;
};

// A captured table as a relation of the stream: where each relation column lands.
struct RelationMap {
  int table = -1;                  // capture table index; -1 = not captured
  std::string name;                // PeerLock table name
  std::vector<int> slot;           // per relation column: index in CaptureTable::columns, or -1
  std::vector<PgCell> cells;       // per capture column
  std::vector<int> key_columns;    // per capture key column: relation column index
  std::vector<int> column_source;  // per capture column: relation column index
};

class PgChangeStream final : public ChangeStream {
 public:
  PgChangeStream(CaptureSpec spec, std::unique_ptr<PgConnection> repl,
                 std::unique_ptr<PgConnection> sql, Lsn from)
      : spec_(std::move(spec)),
        repl_(std::move(repl)),
        sql_(std::move(sql)),
        from_(from),
        confirmed_(from) {
    for (size_t i = 0; i < spec_.tables.size(); ++i) by_name_[spec_.tables[i].table] = int(i);
  }
  ~PgChangeStream() override {
    // Say where we got to before closing, so the slot can let go of the WAL promptly.
    if (repl_) (void)SendStatus(false);
  }

  Result<std::optional<ChangeTxn>> Next(std::chrono::milliseconds wait) override {
    const auto deadline = Clock::now() + wait;
    bool consumed = false;
    for (;;) {
      char* buffer = nullptr;
      int n = PQgetCopyData(repl_->raw(), &buffer, /*async=*/1);
      if (n > 0) {
        std::string_view frame(buffer, n);
        Result<std::optional<ChangeTxn>> done = HandleFrame(frame);
        PQfreemem(buffer);
        consumed = false;
        if (!done) return done;
        if (*done) return done;
        continue;
      }
      if (n == -1) {
        Status end = repl_->FinishCopyOut();
        if (!end) return Fail(end.error());
        return Fail(Error(ErrorCode::kConnection,
                          "PostgreSQL ended the replication stream on " + repl_->where())
                        .Retryable(true));
      }
      if (n == -2) return Fail(repl_->ConnectionError("reading the replication stream"));
      // Nothing complete in libpq's buffer: take what the socket already holds before waiting,
      // so a backlog is read in full batches instead of one transaction per wait.
      if (!consumed) {
        consumed = true;
        if (!PQconsumeInput(repl_->raw()))
          return Fail(repl_->ConnectionError("reading the replication stream"));
        continue;
      }
      consumed = false;
      // Nothing buffered: wait for the socket until the deadline, keeping the server informed.
      PL_TRY(MaybeSendStatus());
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::optional<ChangeTxn>();
      pollfd p{PQsocket(repl_->raw()), POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
      if (ready < 0 && errno != EINTR)
        return Fail(ErrorCode::kConnection, "waiting for the replication stream failed");
      if (ready > 0 && !PQconsumeInput(repl_->raw()))
        return Fail(repl_->ConnectionError("reading the replication stream"));
    }
  }

  Status Confirm(const std::string& position) override {
    std::optional<Lsn> lsn = ParseLsn(position);
    if (!lsn) return Fail(ErrorCode::kInternal, "not a PostgreSQL position: " + position);
    if (*lsn > confirmed_) confirmed_ = *lsn;
    return SendStatus(false);
  }

  Status Applied(const std::string& position) override {
    std::optional<Lsn> lsn = ParseLsn(position);
    if (!lsn) return Fail(ErrorCode::kInternal, "not a PostgreSQL position: " + position);
    if (*lsn > applied_) applied_ = *lsn;
    return SendStatus(false);
  }

  Result<CaptureLag> Lag() override {
    PL_ASSIGN(PgResult r, sql_->Query("SELECT pg_current_wal_lsn()::text, restart_lsn::text "
                                      "FROM pg_replication_slots WHERE slot_name = $1",
                                      {spec_.name}));
    CaptureLag lag;
    if (PQntuples(r.get()) == 0) return lag;
    Lsn now = ParseLsn(PQgetvalue(r.get(), 0, 0)).value_or(0);
    Lsn restart = ParseLsn(PQgetvalue(r.get(), 0, 1)).value_or(now);
    Lsn seen = std::max(received_, from_);
    lag.bytes_behind = now > seen ? static_cast<int64_t>(now - seen) : 0;
    lag.retained_bytes = now > restart ? static_cast<int64_t>(now - restart) : 0;
    return lag;
  }

  Result<std::string> Received() override {
    // Ask for a keepalive: it carries how far the server has decoded, so an idle stream
    // still proves it has seen everything up to the source's current position.
    if (!in_txn_ && Clock::now() - last_reply_request_ > std::chrono::milliseconds(200)) {
      last_reply_request_ = Clock::now();
      PL_TRY(SendStatus(true));
    }
    Lsn seen = in_txn_ ? delivered_ : std::max(received_idle_, delivered_);
    return FormatLsn(std::max(seen, from_));
  }

  std::optional<bool> Reached(const std::string& position, const std::string& stop_at) override {
    std::optional<Lsn> stop = ParseLsn(stop_at);
    std::optional<Lsn> at = ParseLsn(position);
    if (!stop || !at) return std::nullopt;
    return *at >= *stop;
  }

 private:
  Result<std::optional<ChangeTxn>> HandleFrame(std::string_view frame) {
    if (frame[0] == 'k') {  // keepalive: walEnd, sendTime, reply requested
      if (frame.size() < 18) return Fail(ErrorCode::kInternal, "short replication keepalive");
      Lsn wal_end = ReadLsn(frame.substr(1));
      received_ = std::max(received_, wal_end);
      if (!in_txn_) received_idle_ = std::max(received_idle_, wal_end);
      // Nothing delivered awaits confirmation and no transaction is open: everything before
      // wal_end is either applied or not ours, so the slot may move on (bounded WAL on idle).
      if (!in_txn_ && delivered_ <= confirmed_ && wal_end > confirmed_) confirmed_ = wal_end;
      if (frame[17]) PL_TRY(SendStatus(false));
      return std::optional<ChangeTxn>();
    }
    if (frame[0] != 'w' || frame.size() < 25)
      return Fail(ErrorCode::kInternal, "unexpected replication frame");
    Lsn wal_end = ReadLsn(frame.substr(9));
    received_ = std::max(received_, wal_end);
    PL_ASSIGN(PgMessage m, DecodePgOutput(frame.substr(25)));
    txn_bytes_ += static_cast<int64_t>(frame.size());
    switch (m.type) {
      case PgMessage::kBegin: StartTxn(m); break;
      case PgMessage::kRelation: PL_TRY(OnRelation(m)); break;
      case PgMessage::kInsert:
      case PgMessage::kUpdate:
      case PgMessage::kDelete:
        // A transaction applied before a restart is skipped at its Commit: never held meanwhile,
        // however large (the slot resends what was applied but not yet confirmed durable).
        if (!txn_applied_before_) PL_TRY(OnRow(m));
        break;
      case PgMessage::kTruncate:
        for (uint32_t rel : m.relations) {
          if (txn_applied_before_) break;
          auto it = relations_.find(rel);
          if (it == relations_.end() || it->second.table < 0) continue;
          txn_.changes.push_back(
              RowChange{.kind = ChangeKind::kTruncate, .table = it->second.table});
        }
        break;
      case PgMessage::kCommit: {
        in_txn_ = false;
        if (txn_applied_before_ && m.end_lsn > from_)  // its changes were not kept
          return Fail(ErrorCode::kInternal, "a transaction committed across the resume position " +
                                                FormatLsn(from_) + " (commit at " +
                                                FormatLsn(m.lsn) + ", end " + FormatLsn(m.end_lsn) +
                                                "): start the sync over (peerlock sync --drop)");
        if (m.end_lsn <= from_ || (txn_.changes.empty() && !txn_parted_)) {
          // Applied before a restart, or nothing of ours: once everything handed over is
          // confirmed, the slot may move past it.
          if (delivered_ <= confirmed_ && m.end_lsn > confirmed_) confirmed_ = m.end_lsn;
          break;
        }
        txn_.position = FormatLsn(m.end_lsn);
        txn_.commit_time_us = PgTimeToUnixMicros(m.commit_time_pg);
        txn_.bytes = txn_bytes_;
        delivered_ = m.end_lsn;
        return std::optional<ChangeTxn>(std::move(txn_));
      }
      default: break;  // Origin, Type, logical messages: nothing to apply
    }
    if (PartDue()) return std::optional<ChangeTxn>(TakePart());
    return std::optional<ChangeTxn>();
  }

  // A transaction holding part_changes changes so far goes out as a part, unless it was applied
  // before a restart (its commit record, at the Begin's final LSN, is before from_: it is
  // skipped whole at its Commit).
  bool PartDue() const { return in_txn_ && !txn_applied_before_ && PartFull(spec_, txn_); }

  ChangeTxn TakePart() {
    txn_parted_ = true;
    return peerlock::TakePart(spec_, txn_, txn_commit_us_, std::exchange(txn_bytes_, 0));
  }

  static Lsn ReadLsn(std::string_view p) {
    Lsn v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }

  void StartTxn(const PgMessage& begin) {
    in_txn_ = true;
    txn_bytes_ = 0;
    txn_applied_before_ = begin.lsn < from_;
    txn_parted_ = false;
    txn_commit_us_ = PgTimeToUnixMicros(begin.commit_time_pg);
    txn_ = EmptyChangeTxn(spec_);
  }

  Status OnRelation(const PgMessage& m) {
    RelationMap map;
    map.name = PeerlockName(m.schema, m.name);
    auto found = by_name_.find(map.name);
    if (found == by_name_.end()) {
      relations_[m.relation] = std::move(map);
      return {};
    }
    map.table = found->second;
    const CaptureTable& t = spec_.tables[map.table];
    map.column_source.assign(t.columns.size(), -1);
    map.cells.assign(t.columns.size(), PgCell::kText);
    std::vector<std::string> gained;
    for (size_t i = 0; i < m.columns.size(); ++i) {
      const PgRelationColumn& c = m.columns[i];
      int slot = -1;
      for (size_t j = 0; j < t.columns.size(); ++j)
        if (t.columns[j] == c.name) slot = static_cast<int>(j);
      map.slot.push_back(slot);
      if (slot < 0) {
        if (std::find(t.ignored.begin(), t.ignored.end(), c.name) == t.ignored.end())
          gained.push_back(c.name);
        continue;
      }
      map.column_source[slot] = static_cast<int>(i);
      PL_ASSIGN(auto type,
                sql_->QueryValue("SELECT format_type($1::oid, $2::int)",
                                 {std::to_string(c.type_oid), std::to_string(c.typmod)}));
      map.cells[slot] = PgCellFor(type.value_or(""));
    }
    // A captured column the relation lacks was added after this point of the log (the capture
    // is built from today's catalog): its value here is NULL. A relation column the capture
    // does not know is a schema change: changes of this relation are not applied until it is
    // understood, so the sync stops before the first change carrying it, nothing half-applied.
    if (!gained.empty())
      return Fail(Error(ErrorCode::kUnsupported,
                        "table " + map.name + " gained column " + Join(gained, ", ") +
                            " on the source while syncing; the sync stopped before the first "
                            "change that carries it")
                      .WithHint("add the column on the target too (ALTER TABLE ... ADD COLUMN), "
                                "then run `peerlock sync` again; or copy the table again")
                      .WithNative(kGainedColumnsNative));
    for (const std::string& k : t.key) {
      for (size_t j = 0; j < t.columns.size(); ++j)
        if (t.columns[j] == k) map.key_columns.push_back(map.column_source[j]);
    }
    relations_[m.relation] = std::move(map);
    return {};
  }

  // Appends the captured columns of `tuple` (relation layout) to `batch`.
  Status AddRow(const RelationMap& map, const std::vector<PgTupleValue>& tuple, RowBatch& batch,
                std::vector<int>* missing) {
    for (size_t j = 0; j < map.column_source.size(); ++j) {
      if (map.column_source[j] < 0) {
        batch.AddNull();
        continue;
      }
      size_t src = static_cast<size_t>(map.column_source[j]);
      if (src >= tuple.size())
        return Fail(ErrorCode::kInternal, "pgoutput tuple shorter than its relation " + map.name);
      PL_TRY(
          AddValue(tuple[src], map.cells[j], batch, map.name, spec_.tables[map.table].columns[j]));
      if (tuple[src].kind == PgTupleValue::kUnchanged && missing)
        missing->push_back(static_cast<int>(j));
    }
    return {};
  }

  // Appends the key columns of `tuple` to `batch` (a 'K' tuple has only key values filled).
  Status AddKey(const RelationMap& map, const std::vector<PgTupleValue>& tuple, RowBatch& batch) {
    const CaptureTable& t = spec_.tables[map.table];
    for (size_t k = 0; k < map.key_columns.size(); ++k) {
      size_t src = static_cast<size_t>(map.key_columns[k]);
      if (src >= tuple.size())
        return Fail(ErrorCode::kInternal, "pgoutput key tuple shorter than " + map.name);
      int slot = map.slot[src];
      PL_TRY(AddValue(tuple[src], map.cells[slot], batch, map.name, t.key[k]));
    }
    return {};
  }

  Status AddValue(const PgTupleValue& v, PgCell cell, RowBatch& batch, const std::string& table,
                  const std::string& column) {
    if (v.kind != PgTupleValue::kText) {
      batch.AddNull();  // NULL, or an unchanged TOAST value (listed in `missing`)
      return {};
    }
    Status s = DecodeTextValue(v.data, cell, batch, scratch_);
    if (!s)
      return Fail(ErrorCode::kInternal, "decoding " + table + "." + column +
                                            " from the replication stream: " + s.error().message());
    return {};
  }

  Status OnRow(const PgMessage& m) {
    auto it = relations_.find(m.relation);
    if (it == relations_.end())
      return Fail(ErrorCode::kInternal, "pgoutput row for an unknown relation");
    const RelationMap& map = it->second;
    if (map.table < 0) return {};
    RowBatch& rows = txn_.rows[map.table];
    RowBatch& keys = txn_.old_keys[map.table];
    RowChange change{.table = map.table};
    if (m.type == PgMessage::kDelete) {
      change.kind = ChangeKind::kDelete;
      change.old_key = static_cast<int>(keys.rows());
      PL_TRY(AddKey(map, m.old_tuple, keys));
    } else {
      change.kind = m.type == PgMessage::kInsert ? ChangeKind::kInsert : ChangeKind::kUpdate;
      std::vector<int> missing;
      change.new_row = static_cast<int>(rows.rows());
      PL_TRY(AddRow(map, m.new_tuple, rows, &missing));
      if (!missing.empty()) {
        change.missing = static_cast<int>(txn_.missing.size());
        txn_.missing.push_back(std::move(missing));
      }
      if (m.old_kind) {  // the key changed ('K'), or the table logs whole old rows ('O')
        change.old_key = static_cast<int>(keys.rows());
        PL_TRY(AddKey(map, m.old_tuple, keys));
      }
    }
    txn_.changes.push_back(change);
    return {};
  }

  Status MaybeSendStatus() {
    if (Clock::now() - last_status_ < std::chrono::seconds(10)) return {};
    return SendStatus(false);
  }

  // Standby status update: written, flushed and applied all at the confirmed position.
  Status SendStatus(bool reply) {
    std::string msg(1 + 8 * 4 + 1, '\0');
    msg[0] = 'r';
    auto put = [&](size_t at, uint64_t v) {
      for (int i = 7; i >= 0; --i, v >>= 8) msg[at + i] = static_cast<char>(v & 0xff);
    };
    // Written and applied: committed on the target; flushed: durable there (the slot keeps
    // everything after it).
    const Lsn applied = std::max(applied_, confirmed_);
    put(1, applied);
    put(9, confirmed_);
    put(17, applied);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    int64_t unix_us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    put(25, static_cast<uint64_t>(unix_us - 946684800LL * 1000000LL));
    msg[33] = reply ? 1 : 0;
    last_status_ = Clock::now();
    if (PQputCopyData(repl_->raw(), msg.data(), static_cast<int>(msg.size())) != 1 ||
        PQflush(repl_->raw()) != 0)
      return Fail(repl_->ConnectionError("confirming a position to the replication slot"));
    return {};
  }

  CaptureSpec spec_;
  std::unique_ptr<PgConnection> repl_;
  std::unique_ptr<PgConnection> sql_;
  std::map<std::string, int> by_name_;
  std::map<uint32_t, RelationMap> relations_;
  Lsn from_;
  Lsn confirmed_;          // reported to the server as flushed
  Lsn delivered_ = 0;      // end of the last transaction handed to the engine
  Lsn applied_ = 0;        // committed (not necessarily durable) on the target
  Lsn received_ = 0;       // furthest WAL position the server told us about
  Lsn received_idle_ = 0;  // furthest keepalive position outside a transaction
  Clock::time_point last_reply_request_;
  bool in_txn_ = false;
  bool txn_applied_before_ = false;  // the open transaction ends before from_
  bool txn_parted_ = false;          // parts of the open transaction were handed out
  int64_t txn_commit_us_ = 0;        // its commit time (from Begin), for its parts
  ChangeTxn txn_;
  int64_t txn_bytes_ = 0;
  std::string scratch_;
  Clock::time_point last_status_ = Clock::now();
};

}  // namespace

Result<std::unique_ptr<CaptureHandle>> StartPgCapture(const Endpoint& endpoint,
                                                      const CaptureSpec& spec) {
  PL_ASSIGN(auto sql, PgConnection::Open(endpoint));
  PL_TRY(Preflight(*sql, spec));
  PL_TRY(EnsurePublication(*sql, spec));
  PL_ASSIGN(auto existing, sql->QueryValue("SELECT confirmed_flush_lsn::text FROM "
                                           "pg_replication_slots WHERE slot_name = $1",
                                           {spec.name}));
  if (existing) {
    return std::unique_ptr<CaptureHandle>(
        new PgCaptureHandle(*existing, "", std::unique_ptr<PgConnection>()));
  }
  PL_ASSIGN(auto repl, PgConnection::Open(endpoint, /*replication=*/true));
  PL_ASSIGN(PgResult r, repl->Query("CREATE_REPLICATION_SLOT " + Ident(spec.name) +
                                    " LOGICAL pgoutput EXPORT_SNAPSHOT"));
  if (PQntuples(r.get()) != 1 || PQnfields(r.get()) < 3)
    return Fail(ErrorCode::kInternal, "CREATE_REPLICATION_SLOT returned no slot");
  std::string position = PQgetvalue(r.get(), 0, 1);
  std::string snapshot = PQgetvalue(r.get(), 0, 2);
  PL_LOG_INFO("created replication slot {} at {} on {}", spec.name, position, endpoint.Redacted());
  return std::unique_ptr<CaptureHandle>(
      new PgCaptureHandle(std::move(position), std::move(snapshot), std::move(repl)));
}

Result<std::unique_ptr<ChangeStream>> OpenPgChangeStream(const Endpoint& endpoint,
                                                         const CaptureSpec& spec,
                                                         const std::string& position) {
  std::optional<Lsn> from = ParseLsn(position);
  if (!from)
    return Fail(
        Error(ErrorCode::kInvalidArgument, "'" + position + "' is not a PostgreSQL position")
            .WithHint("positions look like 0/16B3748 (an LSN)"));
  PL_ASSIGN(auto sql, PgConnection::Open(endpoint));
  // One look at the slot: "" when it is idle, the walsender's pid when in use, none if missing.
  PL_ASSIGN(auto slot, sql->QueryValue("SELECT coalesce(active_pid::text, '') FROM "
                                       "pg_replication_slots WHERE slot_name = $1",
                                       {spec.name}));
  if (!slot)
    return Fail(Error(ErrorCode::kNotFound,
                      "replication slot " + spec.name + " is missing on " + endpoint.Redacted())
                    .WithHint("the slot was dropped (sync --drop, or by hand): the changes since "
                              "it cannot be recovered; run `peerlock sync --drop` and start the "
                              "sync again, which copies afresh"));
  if (!slot->empty())
    return Fail(Error(ErrorCode::kBlocked,
                      "replication slot " + spec.name + " is in use by server process " + *slot)
                    .WithHint("another `peerlock sync` follows this migration; stop it first")
                    .Retryable(true));
  PL_ASSIGN(auto repl, PgConnection::Open(endpoint, /*replication=*/true));
  PL_TRY(repl->Execute(kValueSettings));
  std::string start = "START_REPLICATION SLOT " + Ident(spec.name) + " LOGICAL " +
                      FormatLsn(*from) + " (proto_version '1', publication_names " +
                      repl->Literal(Ident(spec.name)) + ")";
  PL_TRY(repl->StartCopy(start, PGRES_COPY_BOTH));
  return std::unique_ptr<ChangeStream>(
      new PgChangeStream(spec, std::move(repl), std::move(sql), *from));
}

Status DropPgCapture(const Endpoint& endpoint, const CaptureSpec& spec) {
  PL_ASSIGN(auto sql, PgConnection::Open(endpoint));
  // A stream closed a moment ago leaves its walsender exiting: give it a few seconds.
  std::optional<std::string> active;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  do {
    if (active) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    PL_ASSIGN(active, sql->QueryValue("SELECT active_pid::text FROM pg_replication_slots "
                                      "WHERE slot_name = $1",
                                      {spec.name}));
  } while (active && Clock::now() < deadline);
  if (active)
    return Fail(Error(ErrorCode::kBlocked,
                      "replication slot " + spec.name + " is in use by server process " + *active)
                    .WithHint("stop the running `peerlock sync` first"));
  PL_TRY(
      sql->Query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                 "WHERE slot_name = $1",
                 {spec.name}));
  PL_TRY(sql->Execute("DROP PUBLICATION IF EXISTS " + Ident(spec.name)));
  return {};
}

Result<std::unique_ptr<CaptureHandle>> PostgresSession::StartCapture(const CaptureSpec& spec) {
  return StartPgCapture(endpoint_, spec);
}

Result<std::unique_ptr<ChangeStream>> PostgresSession::OpenChangeStream(
    const CaptureSpec& spec, const std::string& position) {
  return OpenPgChangeStream(endpoint_, spec, position);
}

Result<std::string> PostgresSession::CurrentPosition() {
  // The insert position: with asynchronous commit a committed transaction's record may not be
  // flushed yet, and the flush position would end a drain before it arrives.
  PL_ASSIGN(auto lsn, conn_->QueryValue("SELECT pg_current_wal_insert_lsn()::text"));
  return lsn.value_or("");
}

Status PostgresSession::DropCapture(const CaptureSpec& spec) {
  return DropPgCapture(endpoint_, spec);
}

}  // namespace peerlock
