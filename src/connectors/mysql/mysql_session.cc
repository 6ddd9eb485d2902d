#include "connectors/mysql/mysql_session.h"

#include <fmt/format.h>

#include "base/log.h"
#include "base/strings.h"
#include "connectors/mysql/mysql_capture.h"
#include "connectors/mysql/mysql_sql.h"

namespace peerlock {

Result<std::unique_ptr<MysqlSession>> MysqlSession::Open(const Endpoint& endpoint,
                                                         const SessionOptions& options) {
  PL_ASSIGN(auto conn, MysqlConnection::Open(endpoint));
  auto session =
      std::unique_ptr<MysqlSession>(new MysqlSession(std::move(conn), options.read_only));
  if (!options.read_only) {
    // Keys and foreign keys are built and checked after the data (PostDataSql,
    // CheckForeignKeys), so rows load in any order and tables drop regardless of references.
    PL_TRY(session->Execute("SET foreign_key_checks = 0"));
  }
  return session;
}

Status MysqlSession::Execute(const std::string& sql) { return conn_->Execute(sql); }

Result<std::unique_ptr<CaptureHandle>> MysqlSession::StartCapture(const CaptureSpec& spec) {
  return StartMysqlCapture(*conn_, spec);
}

Result<std::string> MysqlSession::CurrentPosition() {
  PL_ASSIGN(auto position, CurrentBinlogPosition(*conn_));
  return position.ToString();
}

Result<std::unique_ptr<ChangeStream>> MysqlSession::OpenChangeStream(const CaptureSpec& spec,
                                                                     const std::string& position) {
  return OpenMysqlChangeStream(conn_->endpoint(), spec, position);
}

Result<std::string> MysqlSession::BinlogPosition() {
  // MariaDB reports the binlog position matching the consistent snapshot itself; MySQL (and
  // MariaDB without that variable) falls back to SHOW MASTER STATUS.
  auto status = conn_->Query("SHOW STATUS LIKE 'binlog_snapshot_%'");
  if (status) {
    std::string file, pos;
    for (const auto& row : *status) {
      if (row.size() < 2 || !row[0] || !row[1]) continue;
      if (*row[0] == "Binlog_snapshot_file") file = *row[1];
      if (*row[0] == "Binlog_snapshot_position") pos = *row[1];
    }
    if (!file.empty()) return file + ":" + pos;
  }
  auto master = conn_->Query("SHOW MASTER STATUS");
  if (!master) {
    PL_LOG_DEBUG("no binlog position for the snapshot: {}", master.error().message());
    return std::string();
  }
  if (master->empty() || master->front().size() < 2 || !master->front()[0]) return std::string();
  return *master->front()[0] + ":" + master->front()[1].value_or("");
}

Status MysqlSession::BeginSnapshot() {
  if (in_snapshot_) return {};
  PL_TRY(Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  PL_TRY(Execute(read_only_ ? "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"
                            : "START TRANSACTION WITH CONSISTENT SNAPSHOT"));
  in_snapshot_ = true;
  PL_ASSIGN(snapshot_position_, BinlogPosition());
  return {};
}

Status MysqlSession::EndSnapshot() {
  if (!in_snapshot_) return {};
  in_snapshot_ = false;
  return Execute("COMMIT");
}

Result<bool> MysqlSession::TableExists(const std::string& table) {
  PL_ASSIGN(auto rows, conn_->Query("SELECT 1 FROM information_schema.TABLES WHERE "
                                    "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
                                    conn_->Literal(table)));
  return !rows.empty();
}

Result<bool> MysqlSession::TableIsEmpty(const std::string& table) {
  PL_ASSIGN(auto rows,
            conn_->Query("SELECT 1 FROM " + dialect_.QuoteIdentifier(table) + " LIMIT 1"));
  return rows.empty();
}

Result<const std::vector<MysqlSession::ColumnInfo>*> MysqlSession::Info(const std::string& table) {
  auto it = info_.find(table);
  if (it != info_.end()) return &it->second;
  PL_TRY(Execute("SET @peerlock_table = " + conn_->Literal(table)));
  PL_ASSIGN(auto rows, conn_->Query(std::string(sql::kColumnInfo)));
  if (rows.empty())
    return Fail(Error(ErrorCode::kNotFound,
                      "table " + table + " does not exist in " + conn_->endpoint().Redacted()));
  std::vector<ColumnInfo> columns;
  for (auto& r : rows)
    columns.push_back(ColumnInfo{.name = r[0].value_or(""),
                                 .data_type = ToLower(r[1].value_or("")),
                                 .column_type = ToLower(r[2].value_or("")),
                                 .collation = r[3].value_or("")});
  return &info_.emplace(table, std::move(columns)).first->second;
}

Status MysqlSession::EnsureBookkeeping() {
  if (bookkeeping_ready_) return {};
  PL_TRY(Execute(std::string(sql::kBookkeeping)));
  bookkeeping_ready_ = true;
  return {};
}

Result<std::vector<ChunkMarker>> MysqlSession::LoadedChunks(const std::string& run_id) {
  std::vector<ChunkMarker> markers;
  PL_ASSIGN(bool exists, TableExists("_peerlock_chunks"));
  if (!exists) return markers;
  PL_ASSIGN(auto rows, conn_->Query("SELECT table_name, chunk, `rows`, digest FROM "
                                    "_peerlock_chunks WHERE run_id = " +
                                    conn_->Literal(run_id) + " ORDER BY table_name, chunk"));
  for (auto& r : rows)
    markers.push_back(ChunkMarker{.run_id = run_id,
                                  .table = r[0].value_or(""),
                                  .chunk = static_cast<int>(ParseInt64(*r[1]).value_or(0)),
                                  .rows = ParseInt64(*r[2]).value_or(0),
                                  .digest = r[3].value_or("")});
  return markers;
}

Status MysqlSession::ForgetChunks(const std::string& run_id) {
  PL_ASSIGN(bool exists, TableExists("_peerlock_chunks"));
  if (!exists) return {};
  PL_TRY(Execute("DELETE FROM _peerlock_chunks WHERE run_id = " + conn_->Literal(run_id)));
  PL_ASSIGN(auto left, conn_->Query("SELECT 1 FROM _peerlock_chunks LIMIT 1"));
  if (left.empty()) {
    bookkeeping_ready_ = false;
    return Execute("DROP TABLE _peerlock_chunks");
  }
  return {};
}

Result<std::vector<std::string>> MysqlSession::CheckForeignKeys() {
  std::vector<std::string> problems;
  PL_ASSIGN(auto fks, conn_->Query(std::string(sql::kForeignKeyColumns)));
  for (auto& fk : fks) {
    std::string child = fk[0].value_or(""), name = fk[1].value_or(""), parent = fk[2].value_or("");
    auto cols = Split(fk[3].value_or(""), '\t'), refs = Split(fk[4].value_or(""), '\t');
    if (cols.size() != refs.size() || cols.empty()) continue;
    std::vector<std::string> join, not_null, shown;
    for (size_t i = 0; i < cols.size(); ++i) {
      join.push_back("p." + dialect_.QuoteIdentifier(refs[i]) + " = c." +
                     dialect_.QuoteIdentifier(cols[i]));
      not_null.push_back("c." + dialect_.QuoteIdentifier(cols[i]) + " IS NOT NULL");
      shown.push_back("c." + dialect_.QuoteIdentifier(cols[i]));
    }
    std::string sql = "SELECT concat_ws(', ', " + Join(shown, ", ") + ") FROM " +
                      dialect_.QuoteIdentifier(child) + " AS c WHERE " + Join(not_null, " AND ") +
                      " AND NOT EXISTS (SELECT 1 FROM " + dialect_.QuoteIdentifier(parent) +
                      " AS p WHERE " + Join(join, " AND ") + ") LIMIT 100";
    PL_ASSIGN(auto bad, conn_->Query(sql));
    for (auto& b : bad)
      problems.push_back(fmt::format("{}({}) -> {} ({})", child, b[0].value_or(""), parent, name));
    if (problems.size() >= 100) break;  // enough to act on; the count is what matters
  }
  return problems;
}

Result<std::vector<SequenceValue>> MysqlSession::Sequences() {
  std::vector<SequenceValue> out;
  PL_ASSIGN(auto rows, conn_->Query(std::string(sql::kAutoIncrements)));
  for (auto& r : rows) {
    // A BIGINT UNSIGNED counter past 2^63 cannot be carried: its table keeps it only MariaDB to
    // MariaDB (introspection warns), and no other dialect's identity could continue it.
    auto parsed = ParseInt64(r[2].value_or("1"));
    if (!parsed) continue;
    int64_t next = std::max<int64_t>(*parsed, 1);
    // As PostgreSQL's is_called: an unused counter's last_value is the value it hands out next.
    out.push_back(SequenceValue{.name = r[0].value_or(""),
                                .owner = r[0].value_or("") + "." + r[1].value_or(""),
                                .last_value = next > 1 ? next - 1 : next,
                                .called = next > 1});
  }
  return out;
}

Result<SequencesSet> MysqlSession::SetSequences(const std::vector<SequenceValue>& sequences) {
  // A table has one counter, behind its AUTO_INCREMENT column: a sequence feeding another
  // column (a second serial of a PostgreSQL table) must not set it.
  std::map<std::string, std::string> auto_column;  // table -> its AUTO_INCREMENT column
  PL_ASSIGN(auto counters, conn_->Query(std::string(sql::kAutoIncrements)));
  for (auto& r : counters) auto_column[r[0].value_or("")] = r[1].value_or("");
  SequencesSet result;
  for (const auto& s : sequences) {
    std::string table = s.owner.empty() ? s.name : s.owner.substr(0, s.owner.rfind('.'));
    if (auto dot = table.rfind('.'); dot != std::string::npos) table = table.substr(dot + 1);
    PL_ASSIGN(bool exists, TableExists(table));
    if (!exists) {
      result.missing.push_back(s.name.empty() ? s.owner : s.name);
      continue;
    }
    std::string column = s.owner.empty() ? "" : s.owner.substr(s.owner.rfind('.') + 1);
    auto counter = auto_column.find(table);
    if (!column.empty() && (counter == auto_column.end() || counter->second != column)) continue;
    int64_t next = s.called ? s.last_value + 1 : s.last_value;
    PL_TRY(Execute(fmt::format("ALTER TABLE {} AUTO_INCREMENT = {}",
                               dialect_.QuoteIdentifier(table), std::max<int64_t>(next, 1))));
    ++result.set;
  }
  return result;
}

}  // namespace peerlock
