// The MariaDB/MySQL change stream: a binlog dump over the replication protocol, assembled into
// committed transactions of the captured tables.
#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

// After mysql.h, which declares what it uses.
#include <mariadb_rpl.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <utility>

#include "base/log.h"
#include "base/strings.h"
#include "connectors/mysql/mysql_capture.h"
#include "connectors/mysql/mysql_ddl_events.h"
#include "connectors/mysql/mysql_errors.h"

namespace peerlock {
namespace {

// How often an idle source sends a heartbeat: the bound on how late Next(wait) returns, since
// reading the dump blocks until an event or a heartbeat comes. Short, because the engine asks
// Next(0) whether more is there before applying what it holds: 10 ms of waiting is 10 ms of lag.
constexpr int64_t kHeartbeatNs = 10'000'000;
// A dump connection silent for this long (no event, no heartbeat) is dead.
constexpr unsigned kDumpReadTimeoutS = 30;

bool SameCell(const ValueView& a, const ValueView& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::kNull: return true;
    case ValueKind::kInt: return a.i == b.i;
    case ValueKind::kFloat: return a.f == b.f;
    default: return a.s == b.s;
  }
}

struct EventFree {
  void operator()(MARIADB_RPL_EVENT* event) const { mariadb_free_rpl_event(event); }
};
using Event = std::unique_ptr<MARIADB_RPL_EVENT, EventFree>;

class MysqlChangeStream final : public ChangeStream {
 public:
  MysqlChangeStream(CaptureSpec spec, BinlogPosition from)
      : spec_(std::move(spec)), file_(from.file), read_(from), delivered_(from) {}
  ~MysqlChangeStream() override {
    if (rpl_) mariadb_rpl_close(rpl_);
  }

  // Connects and starts the dump at `from`; `non_block` ends it at the current end.
  Status Start(const Endpoint& endpoint, bool non_block) {
    PL_ASSIGN(aux_, MysqlConnection::Open(endpoint));
    for (const auto& t : spec_.tables) {
      PL_ASSIGN(auto layout, LoadCaptureLayout(*aux_, t));
      layouts_.push_back(std::move(layout));
    }
    PL_ASSIGN(dump_, MysqlConnection::Open(endpoint, kDumpReadTimeoutS));
    // Checksums verified by the library; GTID events marking transaction starts; heartbeats
    // so that an idle stream still wakes up.
    PL_TRY(
        dump_->Execute(fmt::format("SET @master_binlog_checksum = @@global.binlog_checksum, "
                                   "@mariadb_slave_capability = 4, @master_heartbeat_period = {}",
                                   kHeartbeatNs)));
    rpl_ = mariadb_rpl_init(dump_->handle());
    if (!rpl_) return Fail(dump_->LastError("starting the binlog reader"));
    // A replica id of our own: the server drops an older dump with the same id.
    std::random_device random;
    unsigned server_id = 0x40000000u + random() % 0x3fffffffu;
    mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FILENAME, read_.file.c_str(), read_.file.size());
    mariadb_rpl_optionsv(rpl_, MARIADB_RPL_START, static_cast<unsigned long>(read_.offset));
    mariadb_rpl_optionsv(rpl_, MARIADB_RPL_SERVER_ID, server_id);
    mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FLAGS,
                         non_block ? unsigned{MARIADB_RPL_BINLOG_DUMP_NON_BLOCK} : 0u);
    if (mariadb_rpl_open(rpl_) != 0) return Fail(DumpError());
    return {};
  }

  // Reads to the end of the binlog (a non-blocking dump): the privilege probe.
  Status Drain() {
    while (true) {
      Event event(mariadb_rpl_fetch(rpl_, nullptr));
      if (!event) return mysql_errno(dump_->handle()) == 0 ? Status() : Fail(DumpError());
    }
  }

  Result<std::optional<ChangeTxn>> Next(std::chrono::milliseconds wait) override {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      // A fresh event each time: Connector/C 3.3 frees a reused one on some failures.
      Event event(mariadb_rpl_fetch(rpl_, nullptr));
      if (!event) return Fail(DumpError());
      PL_ASSIGN(bool committed, Handle(*event));
      if (committed) {
        std::optional<ChangeTxn> out(std::move(txn_));
        txn_ = ChangeTxn();
        return out;
      }
      if (PartDue()) return std::optional<ChangeTxn>(TakePart(*event));
      if (std::chrono::steady_clock::now() < deadline) continue;
      if (!in_txn_ && delivered_.Before(read_)) {
        // Transactions of other tables moved the position on: hand it out empty, so that
        // the engine can record progress and test stop_at while the source is quiet for us.
        ChangeTxn progress;
        progress.position = read_.ToString();
        delivered_ = read_;
        return std::optional<ChangeTxn>(std::move(progress));
      }
      return std::optional<ChangeTxn>();
    }
  }

  // The binlog is kept by the server's expiry settings, not by us: nothing to release.
  Status Confirm(const std::string& position) override {
    if (auto p = BinlogPosition::Parse(position)) confirmed_ = *p;
    return {};
  }

  Result<CaptureLag> Lag() override {
    PL_ASSIGN(auto logs, aux_->Query("SHOW BINARY LOGS"));
    BinlogPosition kept = confirmed_.value_or(delivered_);
    CaptureLag lag{.bytes_behind = 0, .retained_bytes = 0};
    for (const auto& row : logs) {
      if (row.size() < 2 || !row[0]) continue;
      BinlogPosition end{
          .file = *row[0],
          .offset = static_cast<uint64_t>(ParseInt64(row[1].value_or("0")).value_or(0))};
      if (end.file == read_.file)
        lag.bytes_behind +=
            static_cast<int64_t>(end.offset > read_.offset ? end.offset - read_.offset : 0);
      else if (read_.Before(end))
        lag.bytes_behind += static_cast<int64_t>(end.offset);
      if (end.file == kept.file || kept.Before(BinlogPosition{.file = end.file}))
        lag.retained_bytes += static_cast<int64_t>(end.offset);
    }
    return lag;
  }

  // Every event before read_ has been read; outside a transaction, every transaction that
  // committed before it has been handed out.
  Result<std::string> Received() override {
    return in_txn_ ? delivered_.ToString() : read_.ToString();
  }

  std::optional<bool> Reached(const std::string& position, const std::string& stop_at) override {
    auto p = BinlogPosition::Parse(position), stop = BinlogPosition::Parse(stop_at);
    if (!p || !stop) return std::nullopt;
    return !p->Before(*stop);
  }

 private:
  struct MappedTable {
    int capture = -1;                   // index into spec_.tables, -1 when not captured
    std::vector<BinlogColumn> columns;  // as logged
  };

  Error DumpError() {
    unsigned code = mysql_errno(dump_->handle());
    std::string message = mysql_error(dump_->handle());
    std::string at =
        "reading the binlog of " + dump_->endpoint().Redacted() + " at " + read_.ToString();
    if (code == 0)
      return Error(ErrorCode::kConnection, at + ": the server ended the binlog stream")
          .Retryable()
          .WithHint("the source may be shutting down; sync resumes from its last position");
    if (code == ER_SPECIFIC_ACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_ERROR)
      return Error(ErrorCode::kBlocked, at + ": " + message)
          .WithHint(fmt::format("user '{}' may not read the binlog; as an admin run: GRANT "
                                "REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '{}'@'%'",
                                dump_->endpoint().user(), dump_->endpoint().user()));
    if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG)
      return Error(ErrorCode::kBlocked, at + ": " + message)
          .WithHint(
              "the binlog from this position is gone from the source (purged, see "
              "expire_logs_days): start the sync over (peerlock sync --drop), and keep "
              "binlogs longer than a sync may pause");
    return MysqlErrorFor(code, message, at, &dump_->endpoint());
  }

  void BeginTxn(const MARIADB_RPL_EVENT& ev) {
    in_txn_ = true;
    txn_parted_ = false;
    txn_bytes_ = 0;
    (void)ev;
    txn_ = EmptyChangeTxn(spec_);
  }

  // Ends the current event group; true when it holds changes for us.
  bool Commit(const MARIADB_RPL_EVENT& ev) {
    in_txn_ = standalone_ = false;
    read_ = BinlogPosition{.file = file_, .offset = ev.next_event_pos};
    if (txn_.changes.empty() && !txn_parted_) return false;
    txn_.position = read_.ToString();
    txn_.commit_time_us = static_cast<int64_t>(ev.timestamp) * 1'000'000;
    txn_.bytes = txn_bytes_;
    delivered_ = read_;
    return true;
  }

  // A stream always starts at a transaction's boundary, so every transaction read is new: one
  // holding part_changes changes so far goes out as a part.
  bool PartDue() const { return in_txn_ && PartFull(spec_, txn_); }

  ChangeTxn TakePart(const MARIADB_RPL_EVENT& ev) {
    txn_parted_ = true;
    return peerlock::TakePart(spec_, txn_, static_cast<int64_t>(ev.timestamp) * 1'000'000,
                              std::exchange(txn_bytes_, 0));
  }

  // Feeds one event; true when it completed a transaction with changes (in txn_).
  Result<bool> Handle(const MARIADB_RPL_EVENT& ev) {
    bool artificial = (ev.flags & LOG_EVENT_ARTIFICIAL_F) || ev.next_event_pos == 0;
    if (in_txn_) txn_bytes_ += ev.event_length;
    switch (ev.event_type) {
      case ROTATE_EVENT:
        file_.assign(ev.event.rotate.filename.str, ev.event.rotate.filename.length);
        if (!in_txn_) read_ = BinlogPosition{.file = file_, .offset = ev.event.rotate.position};
        return false;
      case GTID_EVENT:
        BeginTxn(ev);
        txn_bytes_ = ev.event_length;
        standalone_ = ev.event.gtid.flags & FL_STANDALONE;
        return false;
      case TABLE_MAP_EVENT: PL_TRY(MapTable(ev)); return false;
      case WRITE_ROWS_EVENT_V1:
      case UPDATE_ROWS_EVENT_V1:
      case DELETE_ROWS_EVENT_V1:
      case WRITE_ROWS_EVENT:
      case UPDATE_ROWS_EVENT:
      case DELETE_ROWS_EVENT:
        if (!in_txn_) BeginTxn(ev);
        PL_TRY(Rows(ev));
        return false;
      case WRITE_ROWS_COMPRESSED_EVENT_V1:
      case UPDATE_ROWS_COMPRESSED_EVENT_V1:
      case DELETE_ROWS_COMPRESSED_EVENT_V1:
      case WRITE_ROWS_COMPRESSED_EVENT:
      case UPDATE_ROWS_COMPRESSED_EVENT:
      case DELETE_ROWS_COMPRESSED_EVENT:
      case QUERY_COMPRESSED_EVENT:
        return Fail(Error(ErrorCode::kUnsupported,
                          "the source compresses its binlog events (log_bin_compress = ON), "
                          "which change capture cannot read")
                        .WithHint("as an admin run SET GLOBAL log_bin_compress = OFF"));
      case XA_PREPARE_LOG_EVENT:
        if (in_txn_ && (!txn_.changes.empty() || txn_parted_))
          return Fail(Error(ErrorCode::kUnsupported,
                            "an XA transaction changed captured tables at " + read_.ToString())
                          .WithHint("change capture follows ordinary transactions only"));
        in_txn_ = false;
        return false;
      case XID_EVENT: return Commit(ev);
      case QUERY_EVENT: return Query(ev);
      case HEARTBEAT_LOG_EVENT: return false;  // a wake-up only
      default:
        if (!in_txn_ && !artificial)
          read_ = BinlogPosition{.file = file_, .offset = ev.next_event_pos};
        return false;
    }
  }

  Result<bool> Query(const MARIADB_RPL_EVENT& ev) {
    std::string sql(ev.event.query.statement.str, ev.event.query.statement.length);
    std::string verb = ToLower(Trim(sql.substr(0, 16)));
    if (verb == "begin") {
      if (!in_txn_) BeginTxn(ev);
      return false;
    }
    if (verb == "commit" || verb == "rollback") return Commit(ev);
    std::string database(ev.event.query.database.str, ev.event.query.database.length);
    for (const auto& hit : TablesChangedBy(sql, database, dump_->endpoint().database())) {
      // DROP DATABASE names no table: it stops the capture of every one.
      int t = hit.table == "*" ? (spec_.tables.empty() ? -1 : 0) : CaptureIndex(hit.table);
      if (t < 0) continue;
      if (hit.kind == DdlKind::kTruncate) {
        if (!in_txn_) BeginTxn(ev);
        txn_.changes.push_back(RowChange{.kind = ChangeKind::kTruncate, .table = t});
      } else if (hit.kind == DdlKind::kAddNullableColumnAtEnd) {
        PL_TRY(StopAtGainedColumns(t, sql));
      } else {
        return Fail(Error(ErrorCode::kUnsupported,
                          fmt::format("table {} changed on the source at {}: '{}': change "
                                      "capture cannot follow this schema change",
                                      hit.table == "*" ? spec_.tables[t].table : hit.table,
                                      read_.ToString(), sql.substr(0, 300)))
                        .WithHint("every change before it is applied; start the sync of this "
                                  "table over (peerlock sync --drop, then sync again), or "
                                  "exclude the table from sync"));
      }
    }
    // A statement outside BEGIN ... COMMIT (DDL, or GTID-flagged standalone) is a group alone.
    if (standalone_ || !in_txn_) {
      if (!in_txn_) BeginTxn(ev);
      return Commit(ev);
    }
    return false;
  }

  // A nullable column added at the end of captured table `t`: the stream stops here (every
  // transaction before it delivered) when the table now has columns the spec neither delivers
  // nor ignores, so that the engine can follow them (kGainedColumnsNative) and reopen the stream
  // here with them. A reopened stream whose spec has them goes on.
  Status StopAtGainedColumns(int t, const std::string& sql) {
    const CaptureTable& table = spec_.tables[t];
    PL_ASSIGN(CaptureLayout now, LoadCaptureLayout(*aux_, table));
    std::vector<std::string> gained;
    for (const std::string& name : now.names)
      if (std::find(table.columns.begin(), table.columns.end(), name) == table.columns.end() &&
          std::find(table.ignored.begin(), table.ignored.end(), name) == table.ignored.end())
        gained.push_back(name);
    if (gained.empty()) return {};
    return Fail(
        Error(ErrorCode::kUnsupported,
              fmt::format("table {} gained column {} on the source at {} ('{}'); the "
                          "sync stopped before it",
                          table.table, Join(gained, ", "), read_.ToString(), sql.substr(0, 200)))
            .WithHint("add the column on the target too (ALTER TABLE ... ADD COLUMN), "
                      "then run `peerlock sync` again; or copy the table again")
            .WithNative(kGainedColumnsNative));
  }

  int CaptureIndex(const std::string& table) const {
    for (size_t i = 0; i < spec_.tables.size(); ++i)
      if (spec_.tables[i].table == table) return static_cast<int>(i);
    return -1;
  }

  Status MapTable(const MARIADB_RPL_EVENT& ev) {
    const auto& m = ev.event.table_map;
    std::string database(m.database.str, m.database.length), table(m.table.str, m.table.length);
    MappedTable mapped;
    if (database == dump_->endpoint().database()) mapped.capture = CaptureIndex(table);
    if (mapped.capture >= 0) {
      const CaptureLayout& layout = layouts_[mapped.capture];
      mapped.columns = layout.columns;
      if (m.column_count < layout.columns.size())
        for (int d : layout.deliver)
          if (static_cast<size_t>(d) >= m.column_count)
            return Fail(
                Error(ErrorCode::kUnsupported,
                      fmt::format("table {} has {} columns in the binlog at {} but {} "
                                  "now: its schema changed",
                                  table, m.column_count, read_.ToString(), layout.columns.size()))
                    .WithHint("start the sync of this table over (peerlock sync "
                              "--drop, then sync again)"));
      // Columns added at the end since the capture started are decoded and not delivered.
      mapped.columns.resize(m.column_count, BinlogColumn{.value = BinlogValue::kBytes});
      Status parsed =
          ParseTableMapColumns(std::string_view(m.column_types.str, m.column_types.length),
                               std::string_view(m.metadata.str, m.metadata.length), mapped.columns);
      if (!parsed) return Fail(Error(parsed.error()).Context("table " + table));
    }
    tables_[m.table_id] = std::move(mapped);
    return {};
  }

  Status Rows(const MARIADB_RPL_EVENT& ev) {
    const auto& r = ev.event.rows;
    auto it = tables_.find(r.table_id);
    if (it == tables_.end() || it->second.capture < 0) return {};
    const MappedTable& m = it->second;
    const int t = m.capture;
    const CaptureTable& table = spec_.tables[t];
    const CaptureLayout& layout = layouts_[t];
    size_t n = m.columns.size();
    if (r.column_count != n)
      return Fail(Error(ErrorCode::kInternal,
                        fmt::format("rows event of {} has {} columns, its table map {}",
                                    table.table, r.column_count, n)));
    std::string_view before(reinterpret_cast<const char*>(r.column_bitmap), (n + 7) / 8);
    std::string_view after = before;
    if (r.type == UPDATE_ROWS && r.column_update_bitmap)
      after = std::string_view(reinterpret_cast<const char*>(r.column_update_bitmap), (n + 7) / 8);
    if (scratch_.columns() != static_cast<int>(n)) scratch_ = RowBatch(static_cast<int>(n));
    BinlogRowReader reader(std::string_view(static_cast<const char*>(r.row_data), r.row_data_size));
    std::vector<bool> absent, absent_after;
    while (!reader.done()) {
      scratch_.Clear();
      PL_TRY(reader.ReadImage(m.columns, before, scratch_, absent));
      if (r.type == UPDATE_ROWS) PL_TRY(reader.ReadImage(m.columns, after, scratch_, absent_after));
      RowChange change{.table = t};
      switch (r.type) {
        case WRITE_ROWS: {
          PL_TRY(CheckImage(table, layout, absent, false));
          change.kind = ChangeKind::kInsert;
          PL_ASSIGN(change.new_row, AddRow(t, 0));
          break;
        }
        case DELETE_ROWS:
          PL_TRY(CheckImage(table, layout, absent, true));
          change.kind = ChangeKind::kDelete;
          change.old_key = AddKey(t, 0);
          break;
        case UPDATE_ROWS: {
          PL_TRY(CheckImage(table, layout, absent, true));
          PL_TRY(CheckImage(table, layout, absent_after, false));
          change.kind = ChangeKind::kUpdate;
          PL_ASSIGN(change.new_row, AddRow(t, 1));
          for (int k : layout.key) {
            int column = layout.deliver[k];
            if (!SameCell(scratch_.Get(0, column), scratch_.Get(1, column))) {
              change.old_key = AddKey(t, 0);
              break;
            }
          }
          break;
        }
      }
      txn_.changes.push_back(change);
    }
    return {};
  }

  // A row image must hold every delivered column (`key_only`: every key column).
  Status CheckImage(const CaptureTable& table, const CaptureLayout& layout,
                    const std::vector<bool>& absent, bool key_only) {
    for (size_t d = 0; d < layout.deliver.size(); ++d) {
      if (!absent[layout.deliver[d]]) continue;
      bool is_key = false;
      for (int k : layout.key) is_key |= static_cast<size_t>(k) == d;
      if (key_only && !is_key) continue;
      return Fail(SettingErrorForImage(table.table, table.columns[d]));
    }
    return {};
  }

  static Error SettingErrorForImage(const std::string& table, const std::string& column) {
    return Error(ErrorCode::kUnsupported,
                 "the binlog's row image of " + table + " lacks column " + column +
                     ": a session wrote it with binlog_row_image other than FULL")
        .WithHint(
            "as an admin run SET GLOBAL binlog_row_image = 'FULL' (and in my.cnf), make "
            "the writers reconnect, then start the sync of this table over");
  }

  // Appends scratch row `row` as a delivered row of table `t`; returns its index.
  Result<int> AddRow(int t, size_t row) {
    const CaptureLayout& layout = layouts_[t];
    RowBatch& out = txn_.rows[t];
    for (int column : layout.deliver) {
      ValueView v = scratch_.Get(row, column);
      if (layout.columns[column].value == BinlogValue::kGeometry && !v.is_null()) {
        PL_ASSIGN(std::string wkt, GeometryText(v.s));
        out.AddText(wkt);
      } else {
        out.Add(v);
      }
    }
    return static_cast<int>(out.rows()) - 1;
  }

  int AddKey(int t, size_t row) {
    const CaptureLayout& layout = layouts_[t];
    RowBatch& out = txn_.old_keys[t];
    for (int k : layout.key) out.Add(scratch_.Get(row, layout.deliver[k]));
    return static_cast<int>(out.rows()) - 1;
  }

  // The text the copy reads of a logged geometry (4-byte SRID, then WKB): WKT, after
  // "SRID=n;" when the SRID is not 0.
  Result<std::string> GeometryText(std::string_view logged) {
    if (logged.size() < 4)
      return Fail(ErrorCode::kInternal, "logged geometry shorter than 4 bytes");
    uint32_t srid = 0;
    for (int i = 3; i >= 0; --i) srid = srid << 8 | static_cast<unsigned char>(logged[i]);
    PL_ASSIGN(auto rows, aux_->Query(fmt::format("SELECT ST_AsText(ST_GeomFromWKB(X'{}', {}))",
                                                 HexEncode(logged.substr(4)), srid)));
    if (rows.empty() || rows[0].empty() || !rows[0][0])
      return Fail(ErrorCode::kInternal, "the source could not render a logged geometry");
    return srid == 0 ? *rows[0][0] : fmt::format("SRID={};{}", srid, *rows[0][0]);
  }

  CaptureSpec spec_;
  std::vector<CaptureLayout> layouts_;
  std::unique_ptr<MysqlConnection> aux_, dump_;
  MARIADB_RPL* rpl_ = nullptr;
  std::unordered_map<uint64_t, MappedTable> tables_;
  std::string file_;                         // binlog file being read
  BinlogPosition read_;                      // after the last whole event group read
  BinlogPosition delivered_;                 // the last position handed out
  std::optional<BinlogPosition> confirmed_;  // the target holds everything before it
  bool in_txn_ = false;
  bool txn_parted_ = false;  // parts of the open transaction were handed out
  bool standalone_ = false;  // the group is one statement without COMMIT (DDL)
  ChangeTxn txn_;
  int64_t txn_bytes_ = 0;
  RowBatch scratch_;
};

}  // namespace

Status ProbeBinlogDump(const Endpoint& endpoint, const BinlogPosition& from) {
  MysqlChangeStream probe(CaptureSpec{}, from);
  PL_TRY(probe.Start(endpoint, /*non_block=*/true));
  return probe.Drain();
}

Result<std::unique_ptr<ChangeStream>> OpenMysqlChangeStream(const Endpoint& endpoint,
                                                            const CaptureSpec& spec,
                                                            const std::string& position) {
  auto from = BinlogPosition::Parse(position);
  if (!from)
    return Fail(Error(ErrorCode::kInvalidArgument,
                      "'" + position + "' is not a MariaDB binlog position (file:offset)"));
  auto stream = std::make_unique<MysqlChangeStream>(spec, *from);
  PL_TRY(stream->Start(endpoint, /*non_block=*/false));
  return std::unique_ptr<ChangeStream>(std::move(stream));
}

}  // namespace peerlock
