// SQLite's counters: a rowid table's lone INTEGER PRIMARY KEY takes max(rowid) + 1 when an
// insert leaves it out, or, declared AUTOINCREMENT, one more than the largest ever handed out
// (kept in sqlite_sequence). Both are reported as one sequence per table, named after it and
// owned by "table.column", so another dialect's identity can continue from it.
#include <algorithm>

#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_sql.h"
#include "connectors/sqlite/sqlite_statement.h"

namespace peerlock {
Result<std::vector<SequenceValue>> SqliteSession::Sequences() {
  PL_ASSIGN(bool autoincrement, TableExists("sqlite_sequence"));
  std::vector<SequenceValue> out;
  PL_ASSIGN(auto keys, SqliteStatement::Prepare(db_, sql::kRowidKeys));
  while (true) {
    PL_ASSIGN(bool row, keys.Step());
    if (!row) break;
    std::string table = keys.Text(0);
    PL_ASSIGN(auto last, SqliteStatement::Prepare(db_, "SELECT coalesce(max(_rowid_), 0) FROM " +
                                                           dialect_.QuoteIdentifier(table)));
    PL_ASSIGN(bool has_max, last.Step());
    int64_t value = has_max ? last.Int(0) : 0;
    if (autoincrement) {
      PL_ASSIGN(auto seq,
                SqliteStatement::Prepare(db_, "SELECT seq FROM sqlite_sequence WHERE name = ?1"));
      PL_TRY(seq.BindText(1, table));
      PL_ASSIGN(bool has_seq, seq.Step());
      if (has_seq) value = std::max(value, seq.Int(0));
    }
    // As PostgreSQL's is_called: an unused counter's last_value is the value it hands out next.
    out.push_back(SequenceValue{.name = table,
                                .owner = table + "." + keys.Text(1),
                                .last_value = value > 0 ? value : 1,
                                .called = value > 0});
  }
  return out;
}

Result<SequencesSet> SqliteSession::SetSequences(const std::vector<SequenceValue>& sequences) {
  // Only AUTOINCREMENT tables keep a counter apart from their rows; the others continue after
  // their largest key, which the copy brought (nothing to set, nothing missing).
  SequencesSet result;
  PL_ASSIGN(bool autoincrement, TableExists("sqlite_sequence"));
  if (!autoincrement) return result;
  PL_ASSIGN(auto update, SqliteStatement::Prepare(
                             db_, "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1"));
  for (const auto& s : sequences) {
    std::string table = s.owner.empty() ? s.name : s.owner.substr(0, s.owner.rfind('.'));
    update.Reset();
    PL_TRY(update.BindText(1, table));
    PL_TRY(update.BindInt(2, s.called ? s.last_value : s.last_value - 1));
    PL_TRY(update.Run());
    result.set += sqlite3_changes(db_);
  }
  return result;
}

}  // namespace peerlock
