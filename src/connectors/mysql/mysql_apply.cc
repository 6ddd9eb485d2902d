// MysqlSession's change-apply side (`peerlock sync` into MariaDB): net changes by key in one
// transaction with the stream's position, so a change set is applied exactly once.
#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "connectors/mysql/mysql_session.h"
#include "connectors/mysql/mysql_sql.h"
#include "connectors/mysql/mysql_values.h"

namespace peerlock {
namespace {

// Statements of `prefix` + items joined by ", " + `suffix`, each within `budget` bytes (an
// item larger than the budget alone still gets a statement: the server then names the limit).
class StatementSplitter {
 public:
  StatementSplitter(std::string prefix, std::string suffix, size_t budget)
      : prefix_(std::move(prefix)), suffix_(std::move(suffix)), budget_(budget) {}

  void Add(const std::string& item) {
    if (!current_.empty() && current_.size() + 2 + item.size() + suffix_.size() > budget_) Flush();
    current_ += current_.empty() ? prefix_ : std::string(", ");
    current_ += item;
  }
  std::vector<std::string> Finish() {
    Flush();
    return std::move(statements_);
  }

 private:
  void Flush() {
    if (current_.empty()) return;
    statements_.push_back(current_ + suffix_);
    current_.clear();
  }
  std::string prefix_, suffix_, current_;
  size_t budget_;
  std::vector<std::string> statements_;
};

}  // namespace

Status MysqlSession::ApplyTable(const TableChanges& tc, size_t budget) {
  PL_ASSIGN(auto* info, Info(tc.table));
  auto mode_of = [&](const std::string& column) -> Result<MysqlWriteMode> {
    for (const auto& c : *info)
      if (c.name == column) return WriteModeFor(c.data_type, c.column_type);
    return Fail(Error(ErrorCode::kNotFound,
                      "target table " + tc.table + " has no column '" + column + "'"));
  };
  const std::string table = dialect_.QuoteIdentifier(tc.table);
  std::vector<MysqlWriteMode> key_modes, modes;
  for (const auto& k : tc.key) {
    PL_ASSIGN(auto mode, mode_of(k));
    key_modes.push_back(mode);
  }
  for (const auto& c : tc.columns) {
    PL_ASSIGN(auto mode, mode_of(c));
    modes.push_back(mode);
  }
  // Where each key column sits in `columns` (upserts and patches carry whole rows).
  std::vector<int> key_at;
  for (const auto& k : tc.key) {
    int at = -1;
    for (size_t i = 0; i < tc.columns.size(); ++i)
      if (tc.columns[i] == k) at = static_cast<int>(i);
    key_at.push_back(at);
  }
  auto key_tuple = [&](const RowBatch& rows, size_t r, const std::vector<int>& at) {
    std::vector<std::string> parts;
    for (size_t k = 0; k < tc.key.size(); ++k)
      parts.push_back(
          SqlValue(rows.Get(r, at.empty() ? static_cast<int>(k) : at[k]), key_modes[k], *conn_));
    return parts.size() == 1 ? parts[0] : "(" + Join(parts, ", ") + ")";
  };
  std::string key_list = dialect_.QuoteList(tc.key);
  if (tc.key.size() > 1) key_list = "(" + key_list + ")";

  std::vector<std::string> statements;
  if (tc.truncate) statements.push_back("DELETE FROM " + table);  // TRUNCATE would commit
  if (tc.deletes.rows() > 0) {
    if (tc.key.empty() || tc.deletes.columns() != static_cast<int>(tc.key.size()))
      return Fail(ErrorCode::kInternal, "deletes of " + tc.table + " do not match its key");
    StatementSplitter split("DELETE FROM " + table + " WHERE " + key_list + " IN (", ")", budget);
    for (size_t r = 0; r < tc.deletes.rows(); ++r) split.Add(key_tuple(tc.deletes, r, {}));
    for (auto& s : split.Finish()) statements.push_back(std::move(s));
  }
  if (tc.upserts.rows() > 0) {
    if (tc.upserts.columns() != static_cast<int>(tc.columns.size()))
      return Fail(ErrorCode::kInternal, "upserts of " + tc.table + " do not match its columns");
    std::vector<std::string> updates;
    for (size_t i = 0; i < tc.columns.size(); ++i) {
      bool is_key = false;
      for (int at : key_at) is_key |= at == static_cast<int>(i);
      if (is_key) continue;
      std::string q = dialect_.QuoteIdentifier(tc.columns[i]);
      updates.push_back(q + " = VALUES(" + q + ")");
    }
    if (updates.empty()) {  // every column is key: an existing row is already right
      std::string q = dialect_.QuoteIdentifier(tc.columns.at(0));
      updates.push_back(q + " = " + q);
    }
    StatementSplitter split(
        "INSERT INTO " + table + " (" + dialect_.QuoteList(tc.columns) + ") VALUES ",
        " ON DUPLICATE KEY UPDATE " + Join(updates, ", "), budget);
    std::string row;
    for (size_t r = 0; r < tc.upserts.rows(); ++r) {
      row = "(";
      for (size_t c = 0; c < tc.columns.size(); ++c) {
        if (c) row += ", ";
        row += SqlValue(tc.upserts.Get(r, static_cast<int>(c)), modes[c], *conn_);
      }
      row += ")";
      split.Add(row);
    }
    for (auto& s : split.Finish()) statements.push_back(std::move(s));
  }
  for (const auto& patch : tc.patches) {
    std::vector<std::string> sets, where;
    for (int c : patch.columns)
      sets.push_back(dialect_.QuoteIdentifier(tc.columns.at(c)) + " = " +
                     SqlValue(patch.row.Get(0, c), modes.at(c), *conn_));
    for (size_t k = 0; k < tc.key.size(); ++k)
      where.push_back(dialect_.QuoteIdentifier(tc.key[k]) + " = " +
                      SqlValue(patch.row.Get(0, key_at[k]), key_modes[k], *conn_));
    if (sets.empty()) continue;
    statements.push_back("UPDATE " + table + " SET " + Join(sets, ", ") + " WHERE " +
                         Join(where, " AND "));
  }
  for (const auto& sql : statements) {
    Status done = Execute(sql);
    if (!done) return Fail(Error(done.error()).Context("applying changes to " + tc.table));
  }
  return {};
}

Status MysqlSession::ApplyChanges(const ChangeSet& changes) {
  if (statement_budget_ == 0) {
    PL_TRY(Execute(std::string(sql::kSyncBookkeeping)));  // DDL: before the transaction
    // The source enforced its foreign keys; rows arrive in an order that may not.
    PL_TRY(Execute("SET SESSION foreign_key_checks = 0"));
    PL_ASSIGN(auto packet, conn_->Query("SELECT @@max_allowed_packet"));
    int64_t limit = packet.empty() ? 0 : ParseInt64(packet[0][0].value_or("0")).value_or(0);
    statement_budget_ = static_cast<size_t>(std::clamp<int64_t>(limit - 16384, 65536, 8 << 20));
  }
  // A transaction left open by partial sets goes on.
  if (!apply_open_) PL_TRY(Execute("START TRANSACTION"));
  apply_open_ = true;
  auto body = [&]() -> Status {
    for (const auto& tc : changes.tables) PL_TRY(ApplyTable(tc, statement_budget_));
    if (changes.partial) return {};
    return Execute(
        fmt::format("INSERT INTO _peerlock_sync (stream, position, applied_at) VALUES ({}, {}, "
                    "current_timestamp(6)) ON DUPLICATE KEY UPDATE position = VALUES(position), "
                    "applied_at = VALUES(applied_at)",
                    conn_->Literal(changes.stream), conn_->Literal(changes.position)));
  };
  Status applied = body();
  if (!applied) {
    apply_open_ = false;
    (void)Execute("ROLLBACK");  // the apply error is the one worth reporting
    return applied;
  }
  if (changes.partial) return {};
  apply_open_ = false;
  return Execute("COMMIT");
}

Status MysqlSession::AbandonChanges() {
  if (!apply_open_) return {};
  apply_open_ = false;
  return Execute("ROLLBACK");
}

Result<std::optional<std::string>> MysqlSession::AppliedPosition(const std::string& stream) {
  PL_ASSIGN(bool exists, TableExists("_peerlock_sync"));
  if (!exists) return std::optional<std::string>();
  PL_ASSIGN(auto rows, conn_->Query("SELECT position FROM _peerlock_sync WHERE stream = " +
                                    conn_->Literal(stream)));
  if (rows.empty() || !rows[0][0]) return std::optional<std::string>();
  return std::optional<std::string>(*rows[0][0]);
}

Status MysqlSession::ForgetAppliedPosition(const std::string& stream) {
  PL_ASSIGN(bool exists, TableExists("_peerlock_sync"));
  if (!exists) return {};
  PL_TRY(Execute("DELETE FROM _peerlock_sync WHERE stream = " + conn_->Literal(stream)));
  PL_ASSIGN(auto left, conn_->Query("SELECT 1 FROM _peerlock_sync LIMIT 1"));
  if (!left.empty()) return {};
  statement_budget_ = 0;  // the next apply recreates the table
  return Execute("DROP TABLE _peerlock_sync");
}

}  // namespace peerlock
