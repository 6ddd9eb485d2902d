// PostgresSession's change apply (`peerlock sync` into PostgreSQL): each ChangeSet is one
// transaction (partial sets leave it open for the next). A table's changes, when few, are written
// as literals into one DELETE ... IN and one INSERT ... ON CONFLICT DO UPDATE, and a whole batch of
// such tables goes with its BEGIN, position and COMMIT in a single round trip (what keeps a steady
// trickle of small transactions at a few milliseconds of lag). Many rows go into per-table
// temporary staging tables with COPY instead, then one DELETE ... USING and one INSERT ... SELECT
// per table move them in, so a big batch costs a few round trips whatever its size. The position is
// recorded in the same transaction. Target triggers and foreign-key checks are suspended
// (session_replication_role = replica, as PostgreSQL's own logical replication applies) when the
// user may do so.

#include <utility>

#include "base/fault_points.h"
#include "base/log.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_literal.h"
#include "connectors/postgres/postgres_pgoutput.h"
#include "connectors/postgres/postgres_session.h"

namespace peerlock {
namespace {

constexpr size_t kStageFlushBytes = 1 << 18;
// A table's changes up to this many rows go as literals; more go through COPY and staging.
constexpr size_t kInlineRows = 100;
// Statements written as literals are sent once they reach this size (else with the commit).
constexpr size_t kInlineFlushBytes = 1 << 20;

constexpr char kSyncBookkeeping[] =
    "CREATE TABLE IF NOT EXISTS public._peerlock_sync ("
    "  stream text PRIMARY KEY,"
    "  position text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now())";

// `error` about a value bound for `column` of `table`, naming both (its hint kept).
Error ValueError(const std::string& table, const std::string& column, const Error& error) {
  return Error(error.code(), "table " + table + ", column " + column + ": " + error.message())
      .WithHint(error.hint());
}

// " to tables a, b" for errors about a batch.
std::string BatchTables(const ChangeSet& changes) {
  std::vector<std::string> names;
  for (const TableChanges& t : changes.tables) names.push_back(t.table);
  return names.empty() ? "" : " to tables " + Join(names, ", ");
}

}  // namespace

Status PostgresSession::EnsureSyncBookkeeping() {
  if (sync_ready_) return {};
  if (auto st = conn_->Execute(kSyncBookkeeping); !st) {
    PL_ASSIGN(bool exists, TableExists("public._peerlock_sync"));
    if (!exists) return st;
  }
  PL_ASSIGN(auto super, conn_->QueryValue("SELECT rolsuper FROM pg_roles "
                                          "WHERE rolname = current_user"));
  replica_role_ = super.value_or("f") == "t";
  if (!replica_role_)
    PL_LOG_WARN(
        "{}: PeerLock's user is not a superuser, so target triggers and foreign-key "
        "checks fire while changes are applied (grant superuser to the sync user, or "
        "disable triggers that write elsewhere)",
        endpoint_.Redacted());
  sync_ready_ = true;
  return {};
}

// The staging table of `table` for `columns` (created once per session, emptied at commit).
Result<std::string> PostgresSession::StageTable(const std::string& table,
                                                const std::vector<std::string>& columns) {
  std::string key = table + '\0' + Join(columns, std::string(1, '\0'));
  auto it = stages_.find(key);
  if (it != stages_.end()) return it->second;
  std::string name = "_peerlock_stage_" + std::to_string(stages_.size());
  PL_TRY(conn_->Execute("CREATE TEMP TABLE IF NOT EXISTS " + name +
                        " ON COMMIT DELETE ROWS AS SELECT " + dialect_.QuoteList(columns) +
                        " FROM " + dialect_.QuoteTable(table) + " WITH NO DATA"));
  stages_[key] = name;
  return name;
}

// COPYs rows [first, last) of `rows` into `stage`.
Status PostgresSession::FillStage(const std::string& table, const std::string& stage,
                                  const std::vector<std::string>& columns, const RowBatch& rows,
                                  size_t first, size_t last) {
  PL_ASSIGN(auto cells, Cells(table, columns));
  // Staging tables empty themselves at commit; one used twice in a batch is emptied here.
  if (!stages_used_.insert(stage).second) PL_TRY(conn_->Execute("DELETE FROM " + stage));
  PL_TRY(conn_->StartCopy("COPY " + stage + " FROM STDIN", PGRES_COPY_IN));
  std::string buffer;
  Status status;
  for (size_t r = first; r < last && status; ++r) {
    int bad = -1;
    if (auto st = EncodeCopyRow(rows, r, cells, buffer, &bad); !st) {
      status = Fail(ValueError(table, bad >= 0 ? columns[bad] : "?", st.error()));
      break;
    }
    if (buffer.size() >= kStageFlushBytes || r + 1 == last) {
      if (PQputCopyData(conn_->raw(), buffer.data(), static_cast<int>(buffer.size())) != 1)
        status = Fail(conn_->ConnectionError("staging changes of " + table));
      buffer.clear();
    }
  }
  if (!status) {
    PQputCopyEnd(conn_->raw(), "aborted by PeerLock");
    while (PGresult* r = PQgetResult(conn_->raw())) PQclear(r);
    return status;
  }
  return conn_->EndCopyIn();
}

// The literal rows "(..), (..)" of `rows`, whose layout is `columns` of `table`.
Result<std::string> PostgresSession::LiteralRows(const std::string& table,
                                                 const std::vector<std::string>& columns,
                                                 const RowBatch& rows) {
  PL_ASSIGN(auto cells, Cells(table, columns));
  std::string out;
  for (size_t r = 0; r < rows.rows(); ++r) {
    if (r) out += ", ";
    int bad = -1;
    if (auto st = AppendPgLiteralRow(rows, r, cells, out, &bad); !st)
      return Fail(ValueError(table, bad >= 0 ? columns[bad] : "?", st.error()));
  }
  return out;
}

// Appends `t`'s changes to `sql` as statements with literal values.
Status PostgresSession::InlineTableChanges(const TableChanges& t, std::string& sql) {
  const std::string target = dialect_.QuoteTable(t.table);
  if (t.truncate) sql += "DELETE FROM " + target + ";\n";
  if (t.deletes.rows() > 0) {
    PL_ASSIGN(std::string keys, LiteralRows(t.table, t.key, t.deletes));
    const std::string lhs = t.key.size() == 1 ? dialect_.QuoteIdentifier(t.key[0])
                                              : "(" + dialect_.QuoteList(t.key) + ")";
    sql += "DELETE FROM " + target + " WHERE " + lhs + " IN (" + keys + ");\n";
  }
  if (t.upserts.rows() > 0) {
    PL_ASSIGN(std::string rows, LiteralRows(t.table, t.columns, t.upserts));
    sql += "INSERT INTO " + target + " (" + dialect_.QuoteList(t.columns) +
           ") OVERRIDING SYSTEM VALUE VALUES " + rows + " " + UpsertConflictClause(t) + ";\n";
  }
  if (!t.patches.empty()) {
    PL_ASSIGN(auto cells, Cells(t.table, t.columns));
    for (const TableChanges::Patch& patch : t.patches) {
      std::vector<std::string> sets, where;
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const bool is_key = std::find(t.key.begin(), t.key.end(), t.columns[c]) != t.key.end();
        const bool is_set =
            std::find(patch.columns.begin(), patch.columns.end(), c) != patch.columns.end();
        if (!is_key && !is_set) continue;
        std::string literal;
        if (auto st = AppendPgLiteral(patch.row.Get(0, static_cast<int>(c)), cells[c], literal);
            !st)
          return Fail(ValueError(t.table, t.columns[c], st.error()));
        (is_key ? where : sets).push_back(dialect_.QuoteIdentifier(t.columns[c]) + " = " + literal);
      }
      if (!sets.empty())
        sql += "UPDATE " + target + " SET " + Join(sets, ", ") + " WHERE " + Join(where, " AND ") +
               ";\n";
    }
  }
  return {};
}

// "ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c, ..." (DO NOTHING when every column is key).
std::string PostgresSession::UpsertConflictClause(const TableChanges& t) const {
  std::vector<std::string> sets;
  for (const auto& c : t.columns) {
    if (std::find(t.key.begin(), t.key.end(), c) != t.key.end()) continue;
    std::string q = dialect_.QuoteIdentifier(c);
    sets.push_back(q + " = EXCLUDED." + q);
  }
  return "ON CONFLICT (" + dialect_.QuoteList(t.key) + ") DO " +
         (sets.empty() ? "NOTHING" : "UPDATE SET " + Join(sets, ", "));
}

Status PostgresSession::ApplyTableChanges(const TableChanges& t, std::string& pending) {
  const size_t rows = t.deletes.rows() + t.upserts.rows() + t.patches.size();
  if (rows <= kInlineRows) {
    PL_TRY(InlineTableChanges(t, pending));
    if (pending.size() < kInlineFlushBytes) return {};
  }
  // Statements waiting go first: they come before these changes in the batch's order.
  if (!pending.empty()) {
    // Taken out first: once sent (even when it fails), the transaction is open on the server.
    const std::string sent = std::exchange(pending, std::string());
    PL_TRY(conn_->ExecuteDoing("applying changes to the tables before " + t.table, sent));
  }
  if (rows <= kInlineRows) return {};
  const std::string target = dialect_.QuoteTable(t.table);
  auto key_match = [&](const std::string& a, const std::string& b) {
    std::vector<std::string> terms;
    for (const auto& k : t.key)
      terms.push_back(a + "." + dialect_.QuoteIdentifier(k) + " = " + b + "." +
                      dialect_.QuoteIdentifier(k));
    return Join(terms, " AND ");
  };
  if (t.truncate) PL_TRY(conn_->Execute("DELETE FROM " + target));
  if (t.deletes.rows() > 0) {
    PL_ASSIGN(std::string stage, StageTable(t.table, t.key));
    PL_TRY(FillStage(t.table, stage, t.key, t.deletes, 0, t.deletes.rows()));
    PL_TRY(conn_->Execute("DELETE FROM " + target + " AS t USING " + stage + " AS s WHERE " +
                          key_match("t", "s")));
  }
  if (t.upserts.rows() > 0) {
    PL_ASSIGN(std::string stage, StageTable(t.table, t.columns));
    PL_TRY(FillStage(t.table, stage, t.columns, t.upserts, 0, t.upserts.rows()));
    std::string list = dialect_.QuoteList(t.columns);
    PL_TRY(conn_->Execute("INSERT INTO " + target + " (" + list + ") OVERRIDING SYSTEM VALUE " +
                          "SELECT " + list + " FROM " + stage + " " + UpsertConflictClause(t)));
  }
  for (const TableChanges::Patch& patch : t.patches) {
    PL_ASSIGN(std::string stage, StageTable(t.table, t.columns));
    PL_TRY(FillStage(t.table, stage, t.columns, patch.row, 0, 1));
    std::vector<std::string> sets;
    for (int c : patch.columns) {
      std::string q = dialect_.QuoteIdentifier(t.columns[c]);
      sets.push_back(q + " = s." + q);
    }
    if (!sets.empty())
      PL_TRY(conn_->Execute("UPDATE " + target + " AS t SET " + Join(sets, ", ") + " FROM " +
                            stage + " AS s WHERE " + key_match("t", "s")));
  }
  return {};
}

Status PostgresSession::ApplyChanges(const ChangeSet& changes) {
  PL_TRY(EnsureSyncBookkeeping());
  // Sent with the first statements that need the server (often the commit itself). A
  // transaction left open by partial sets goes on: its staging tables still hold their rows.
  std::string pending;
  if (!apply_open_) {
    stages_used_.clear();
    pending = replica_role_ ? "BEGIN; SET LOCAL synchronous_commit = off; "
                              "SET LOCAL session_replication_role = replica;\n"
                            : "BEGIN; SET LOCAL synchronous_commit = off;\n";
  }
  const bool opened_here = !apply_open_;
  Status status;
  for (const TableChanges& t : changes.tables) {
    if (!status) break;
    status = ApplyTableChanges(t, pending);
    FaultPoint("sync.apply_midway");  // crash tests: part of a batch applied, not committed
  }
  if (status && changes.partial) {
    if (!pending.empty()) status = conn_->Execute(pending);
    pending.clear();
    if (status) {
      apply_open_ = true;
      return {};
    }
  } else if (status) {
    // The statements still waiting, the position, the commit and the local WAL positions
    // after it (inserted, flushed), in one round trip. The commit does not wait for the disk
    // (as PostgreSQL's own apply workers); DurablePosition tells the engine when it is safe to
    // let the source forget it.
    apply_open_ = false;
    auto committed = conn_->ExecuteDoing(
        "applying a batch of changes" + BatchTables(changes),
        pending + "INSERT INTO public._peerlock_sync (stream, position) VALUES (" +
            conn_->Literal(changes.stream) + ", " + conn_->Literal(changes.position) +
            ") ON CONFLICT (stream) DO UPDATE SET position = EXCLUDED.position, applied_at = "
            "now(); "
            "COMMIT; SELECT pg_current_wal_insert_lsn()::text || ' ' || "
            "pg_current_wal_flush_lsn()::text");
    pending.clear();
    if (!committed) {
      status = Fail(std::move(committed.error()));
    } else {
      std::string lsns = committed->value_or("");
      const size_t space = lsns.find(' ');
      undurable_.emplace_back(ParseLsn(lsns.substr(0, space)).value_or(UINT64_MAX),
                              changes.position);
      if (space != std::string::npos) NoteFlushed(ParseLsn(lsns.substr(space + 1)).value_or(0));
    }
  }
  if (!status) {
    apply_open_ = false;
    // Nothing was sent while the batch's BEGIN still waits in `pending`.
    if (!(opened_here && pending.starts_with("BEGIN")))
      (void)conn_->Execute("ROLLBACK");  // the apply error is the one worth reporting
    return status;
  }
  return {};
}

Status PostgresSession::AbandonChanges() {
  if (!apply_open_) return {};
  apply_open_ = false;
  return conn_->Execute("ROLLBACK");
}

void PostgresSession::NoteFlushed(uint64_t flush) {
  flushed_at_ = std::chrono::steady_clock::now();
  while (!undurable_.empty() && undurable_.front().first <= flush) {
    durable_ = std::move(undurable_.front().second);
    undurable_.pop_front();
  }
}

Result<std::string> PostgresSession::DurablePosition(const std::string& stream) {
  (void)stream;
  // The WAL writer flushes every wal_writer_delay (200 ms by default): asking more often than
  // every few tens of milliseconds would cost a round trip per batch and learn nothing.
  if (undurable_.empty() ||
      std::chrono::steady_clock::now() - flushed_at_ < std::chrono::milliseconds(50))
    return durable_;
  PL_ASSIGN(auto flushed, conn_->QueryValue("SELECT pg_current_wal_flush_lsn()::text"));
  NoteFlushed(ParseLsn(flushed.value_or("")).value_or(0));
  return durable_;
}

Result<std::optional<std::string>> PostgresSession::AppliedPosition(const std::string& stream) {
  PL_ASSIGN(bool exists, TableExists("public._peerlock_sync"));
  if (!exists) return std::optional<std::string>();
  return conn_->QueryValue("SELECT position FROM public._peerlock_sync WHERE stream = $1",
                           {stream});
}

Status PostgresSession::ForgetAppliedPosition(const std::string& stream) {
  PL_ASSIGN(bool exists, TableExists("public._peerlock_sync"));
  if (!exists) return {};
  PL_TRY(conn_->Query("DELETE FROM public._peerlock_sync WHERE stream = $1", {stream}));
  return {};
}

}  // namespace peerlock
