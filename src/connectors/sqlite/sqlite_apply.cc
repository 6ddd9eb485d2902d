#include "connectors/sqlite/sqlite_apply.h"

#include <algorithm>

#include "base/strings.h"
#include "connectors/sqlite/sqlite_affinity.h"
#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_sql.h"
#include "connectors/sqlite/sqlite_triggers_off.h"

namespace peerlock {
namespace {

// Binds the cells `cells` of `row` to parameters 1, 2, ... (names[i] names cells[i] in errors;
// `target` describes the columns `names` of the table).
Status BindCells(SqliteStatement& stmt, const RowBatch& batch, size_t row,
                 const std::vector<int>& cells, const std::vector<std::string>& names,
                 const SqliteWriteColumns& target, const std::string& table) {
  for (size_t i = 0; i < cells.size(); ++i) {
    ValueView v = batch.Get(row, cells[i]);
    Status st = CheckStoredExactly(target.affinity[i], v);
    if (st) st = stmt.Bind(static_cast<int>(i) + 1, v);
    if (!st) {
      std::vector<int> key;  // the key's cells, as positions in the batch
      for (int k : target.key) key.push_back(cells[k]);
      std::vector<std::string> by_cell(batch.columns());
      for (size_t j = 0; j < cells.size(); ++j) by_cell[cells[j]] = names[j];
      std::string where = DescribeRowKey(batch, row, key, by_cell);
      return Fail(st.error().Context("table " + table + " " + (where.empty() ? "" : where + " ") +
                                     "column '" + names[i] + "'"));
    }
  }
  return {};
}

std::vector<int> Iota(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

// "a" IS ?<first> AND "b" IS ?<first+1>: IS, so a NULL in a (legacy) key still matches.
std::string KeyMatch(const SqliteDialect& d, const std::vector<std::string>& key, size_t first) {
  std::vector<std::string> terms;
  for (size_t i = 0; i < key.size(); ++i)
    terms.push_back(d.QuoteIdentifier(key[i]) + " IS ?" + std::to_string(first + i));
  return Join(terms, " AND ");
}

// The target table of a change set, its columns described once (affinities, key), so the
// statements of the set, down to each patched row, need not ask SQLite again.
struct TargetTable {
  std::string name;
  std::vector<std::string> columns;
  SqliteWriteColumns described;  // of `columns`

  // The description of `names`, a statement's column list drawn from `columns`.
  SqliteWriteColumns For(const std::vector<std::string>& names) const {
    auto position = [](const std::vector<std::string>& list, const std::string& name) {
      return static_cast<int>(std::find(list.begin(), list.end(), name) - list.begin());
    };
    SqliteWriteColumns out;
    for (const auto& n : names) {
      int i = position(columns, n);
      out.affinity.push_back(i < static_cast<int>(columns.size()) ? described.affinity[i]
                                                                  : SqliteAffinity::kBlob);
    }
    for (int k : described.key)
      if (int i = position(names, columns[k]); i < static_cast<int>(names.size()))
        out.key.push_back(i);
    return out;
  }
};

// Runs `sql` once per row of `batch`, binding `cells` of each row.
Status RunPerRow(sqlite3* db, const std::string& sql, const RowBatch& batch,
                 const std::vector<int>& cells, const std::vector<std::string>& names,
                 const TargetTable& table) {
  if (batch.empty()) return {};
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(db, sql));
  SqliteWriteColumns target = table.For(names);
  for (size_t r = 0; r < batch.rows(); ++r) {
    PL_TRY(BindCells(stmt, batch, r, cells, names, target, table.name));
    PL_TRY(stmt.Run());
    stmt.Reset();
  }
  return {};
}

Status ApplyTable(SqliteSession& s, const TableChanges& t) {
  SqliteDialect d;
  sqlite3* db = s.handle();
  std::string table = d.QuoteIdentifier(t.table);
  int width = static_cast<int>(t.columns.size());
  if ((!t.deletes.empty() && t.deletes.columns() != static_cast<int>(t.key.size())) ||
      (!t.upserts.empty() && t.upserts.columns() != width))
    return Fail(ErrorCode::kInternal, "change set rows do not match the columns of " + t.table);
  TargetTable target{.name = t.table, .columns = t.columns};
  PL_ASSIGN(target.described, DescribeWriteColumns(db, t.table, t.columns));
  std::vector<int> key_cells;  // where each key column sits in `columns`
  for (const auto& k : t.key) {
    auto it = std::find(t.columns.begin(), t.columns.end(), k);
    key_cells.push_back(static_cast<int>(it - t.columns.begin()));
  }
  if (std::find(key_cells.begin(), key_cells.end(), width) != key_cells.end())
    return Fail(ErrorCode::kInternal, "the key of " + t.table + " is not among its columns");
  if (t.truncate) PL_TRY(s.Execute("DELETE FROM " + table));
  PL_TRY(RunPerRow(db, "DELETE FROM " + table + " WHERE " + KeyMatch(d, t.key, 1), t.deletes,
                   Iota(static_cast<int>(t.key.size())), t.key, target));
  if (!t.upserts.empty()) {
    std::vector<std::string> params, sets;
    for (int i = 0; i < width; ++i) {
      params.push_back("?" + std::to_string(i + 1));
      if (std::find(t.key.begin(), t.key.end(), t.columns[i]) == t.key.end())
        sets.push_back(d.QuoteIdentifier(t.columns[i]) + " = excluded." +
                       d.QuoteIdentifier(t.columns[i]));
    }
    std::string insert = "INSERT INTO " + table + " (" + d.QuoteList(t.columns) + ") VALUES (" +
                         Join(params, ", ") + ")";
    std::string upsert = insert + " ON CONFLICT (" + d.QuoteList(t.key) + ") DO " +
                         (sets.empty() ? std::string("NOTHING") : "UPDATE SET " + Join(sets, ", "));
    PL_TRY(s.Execute("SAVEPOINT upserts"));
    auto upserted = RunPerRow(db, upsert, t.upserts, Iota(width), t.columns, target);
    if (!upserted) {
      // Rows of the set that swap a unique value between them collide row by row; with every
      // upserted key deleted first they do not. A conflict with a row outside the set fails
      // again, and that error is the one reported.
      PL_TRY(s.Execute("ROLLBACK TO upserts"));
      PL_TRY(RunPerRow(db, "DELETE FROM " + table + " WHERE " + KeyMatch(d, t.key, 1), t.upserts,
                       key_cells, t.key, target));
      PL_TRY(RunPerRow(db, insert, t.upserts, Iota(width), t.columns, target));
    }
    PL_TRY(s.Execute("RELEASE upserts"));
  }
  for (const auto& patch : t.patches) {
    std::vector<std::string> sets, names;
    std::vector<int> cells;
    for (int c : patch.columns) {
      sets.push_back(d.QuoteIdentifier(t.columns[c]) + " = ?" + std::to_string(cells.size() + 1));
      cells.push_back(c);
      names.push_back(t.columns[c]);
    }
    if (sets.empty()) continue;
    std::string where = KeyMatch(d, t.key, cells.size() + 1);
    for (int k : key_cells) {
      cells.push_back(k);
      names.push_back(t.columns[k]);
    }
    PL_TRY(RunPerRow(db, "UPDATE " + table + " SET " + Join(sets, ", ") + " WHERE " + where,
                     patch.row, cells, names, target));
  }
  return {};
}

Result<int64_t> PragmaValue(SqliteSession& s, const std::string& pragma) {
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(s.handle(), "PRAGMA " + pragma));
  PL_ASSIGN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

// Ends the apply transaction (committed or rolled back) and restores the pragmas it changed.
Status EndSqliteApply(SqliteSession& s, const char* end) {
  const SqliteSession::OpenApply saved = s.open_apply().value_or(SqliteSession::OpenApply{});
  s.open_apply().reset();
  Status ended = s.Execute(end);
  // A failed COMMIT leaves the transaction open: nothing of it may stay behind.
  if (!ended && sqlite3_get_autocommit(s.handle()) == 0) (void)s.Execute("ROLLBACK");
  if (saved.foreign_keys) PL_TRY(s.Execute("PRAGMA foreign_keys = ON"));
  PL_TRY(s.Execute("PRAGMA synchronous = " + std::to_string(saved.synchronous)));
  return ended;
}

}  // namespace

Status ApplySqliteChanges(SqliteSession& s, const ChangeSet& changes) {
  // Set before BEGIN (inside a transaction these pragmas are no-ops), restored at its end:
  // - foreign keys off: the source checked them, and a set may delete a parent before it moves
  //   the child off it;
  // - synchronous FULL: the position is confirmed to the source, which then trims its changelog,
  //   so the commit must survive a power loss too (the load's NORMAL survives a killed process).
  // A transaction left open by partial sets goes on.
  if (!s.open_apply()) {
    PL_ASSIGN(int64_t foreign_keys, PragmaValue(s, "foreign_keys"));
    PL_ASSIGN(int64_t synchronous, PragmaValue(s, "synchronous"));
    if (foreign_keys) PL_TRY(s.Execute("PRAGMA foreign_keys = OFF"));
    PL_TRY(s.Execute("PRAGMA synchronous = FULL"));
    s.open_apply() =
        SqliteSession::OpenApply{.foreign_keys = foreign_keys, .synchronous = synchronous};
    // BEGIN IMMEDIATE takes the write lock up front: the body never fails half-way for want of it.
    if (Status begun = s.Execute("BEGIN IMMEDIATE"); !begun) {
      (void)EndSqliteApply(s, "SELECT 1");  // only the pragmas to restore
      return begun;
    }
  }
  TriggersOff triggers_off(s.handle());
  auto body = [&]() -> Status {
    for (const auto& t : changes.tables)
      PL_TRY(WithContext(ApplyTable(s, t), "applying changes to " + t.table));
    if (changes.partial) return {};
    PL_TRY(s.Execute(std::string(sql::kSyncPositions)));
    PL_ASSIGN(auto record, SqliteStatement::Prepare(s.handle(), sql::kRecordSyncPosition));
    PL_TRY(record.BindText(1, changes.stream));
    PL_TRY(record.BindText(2, changes.position));
    return record.Run();
  };
  Status applied = body();
  if (applied && changes.partial) return {};
  if (applied) applied = EndSqliteApply(s, "COMMIT");
  if (!applied) {
    if (s.open_apply()) (void)EndSqliteApply(s, "ROLLBACK");  // the apply error matters more
    return Fail(applied.error().Context(
        "applying changes of " + changes.stream +
        (changes.partial ? " (part of a large transaction)" : " up to " + changes.position)));
  }
  return {};
}

Status AbandonSqliteChanges(SqliteSession& s) {
  if (!s.open_apply()) return {};
  return EndSqliteApply(s, "ROLLBACK");
}

Result<std::optional<std::string>> SqliteAppliedPosition(SqliteSession& s,
                                                         const std::string& stream) {
  PL_ASSIGN(bool exists, s.TableExists("_peerlock_sync"));
  if (!exists) return std::optional<std::string>();
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(
                           s.handle(), "SELECT position FROM _peerlock_sync WHERE stream = ?1"));
  PL_TRY(stmt.BindText(1, stream));
  PL_ASSIGN(bool row, stmt.Step());
  return row ? std::optional<std::string>(stmt.Text(0)) : std::nullopt;
}

Status ForgetSqliteAppliedPosition(SqliteSession& s, const std::string& stream) {
  PL_ASSIGN(bool exists, s.TableExists("_peerlock_sync"));
  if (!exists) return {};
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(s.handle(), "DELETE FROM _peerlock_sync WHERE stream = ?1"));
  PL_TRY(stmt.BindText(1, stream));
  PL_TRY(stmt.Run());
  PL_ASSIGN(bool empty, s.TableIsEmpty("_peerlock_sync"));
  if (empty) PL_TRY(s.Execute("DROP TABLE _peerlock_sync"));
  return {};
}

Status SqliteSession::ApplyChanges(const ChangeSet& changes) {
  return ApplySqliteChanges(*this, changes);
}

Status SqliteSession::AbandonChanges() { return AbandonSqliteChanges(*this); }

Result<std::optional<std::string>> SqliteSession::AppliedPosition(const std::string& stream) {
  return SqliteAppliedPosition(*this, stream);
}

Status SqliteSession::ForgetAppliedPosition(const std::string& stream) {
  return ForgetSqliteAppliedPosition(*this, stream);
}

}  // namespace peerlock
