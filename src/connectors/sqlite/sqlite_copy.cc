// SqliteSession's bulk read side: key-range predicates, split points, counts and the row stream.
#include "base/strings.h"
#include "connectors/sqlite/sqlite_session.h"

namespace peerlock {
namespace {

// Streams a prepared SELECT into batches. Owns the statement.
class SqliteRowSource final : public RowSource {
 public:
  SqliteRowSource(SqliteStatement stmt, size_t batch_rows)
      : stmt_(std::move(stmt)), batch_rows_(batch_rows) {}

  Result<bool> Next(RowBatch& batch) override {
    int n = stmt_.columns();
    if (batch.columns() != n) batch = RowBatch(n);
    batch.Clear();
    if (done_) return false;
    while (batch.rows() < batch_rows_) {
      PL_ASSIGN(bool row, stmt_.Step());
      if (!row) {
        done_ = true;
        break;
      }
      for (int c = 0; c < n; ++c) stmt_.AppendTo(c, batch);
    }
    return !batch.empty();
  }

 private:
  SqliteStatement stmt_;
  size_t batch_rows_;
  bool done_ = false;
};

}  // namespace

std::string SqliteSession::KeyExpression(const KeySpec& key) const {
  // _rowid_ rather than rowid: a user column may be called "rowid".
  return key.row_id ? "_rowid_" : dialect_.QuoteList(key.columns);
}

std::string SqliteSession::WhereClause(const ReadSpec& spec) const {
  std::vector<std::string> terms;
  size_t width = spec.key.row_id ? 1 : spec.key.columns.size();
  std::string key = KeyExpression(spec.key);
  if (width > 1) key = "(" + key + ")";
  auto params = [&](int first) {
    std::vector<std::string> p;
    for (size_t i = 0; i < width; ++i) p.push_back("?" + std::to_string(first + i));
    return width > 1 ? "(" + Join(p, ", ") + ")" : p[0];
  };
  // Parameters: lower bound first (1..w), then upper (w+1..2w), then the listed keys.
  if (spec.range.lower) terms.push_back(key + " >= " + params(1));
  if (spec.range.upper) terms.push_back(key + " < " + params(static_cast<int>(width) + 1));
  if (!spec.keys.empty()) {
    std::vector<std::string> list;
    for (size_t k = 0; k < spec.keys.size(); ++k)
      list.push_back(params(static_cast<int>((2 + k) * width + 1)));
    terms.push_back(key + " IN (" + Join(list, ", ") + ")");
  }
  if (!spec.where.empty()) terms.push_back("(" + spec.where + ")");
  return terms.empty() ? "" : " WHERE " + Join(terms, " AND ");
}

Status SqliteSession::BindRange(SqliteStatement& stmt, const ReadSpec& spec) const {
  int width = spec.key.row_id ? 1 : static_cast<int>(spec.key.columns.size());
  auto bind = [&](const KeyTuple& key, int first) -> Status {
    if (static_cast<int>(key.size()) != width)
      return Fail(ErrorCode::kInternal, "key bound of wrong width for " + spec.table);
    for (int i = 0; i < width; ++i) PL_TRY(stmt.Bind(first + i, key[i].View()));
    return {};
  };
  if (spec.range.lower) PL_TRY(bind(*spec.range.lower, 1));
  if (spec.range.upper) PL_TRY(bind(*spec.range.upper, width + 1));
  for (size_t k = 0; k < spec.keys.size(); ++k)
    PL_TRY(bind(spec.keys[k], static_cast<int>(2 + k) * width + 1));
  return {};
}

Result<std::vector<KeyTuple>> SqliteSession::SplitPoints(const ReadSpec& spec,
                                                         int64_t rows_per_chunk) {
  std::string key = KeyExpression(spec.key);
  // One ordered pass over the key's index, keeping every rows_per_chunk-th key.
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(db_, "SELECT " + key + " FROM " +
                                                         dialect_.QuoteIdentifier(spec.table) +
                                                         WhereClause(spec) + " ORDER BY " + key));
  PL_TRY(BindRange(stmt, spec));
  std::vector<KeyTuple> points;
  int64_t n = 0;
  while (true) {
    PL_ASSIGN(bool row, stmt.Step());
    if (!row) break;
    if (n > 0 && n % rows_per_chunk == 0) {
      KeyTuple point;
      for (int c = 0; c < stmt.columns(); ++c) point.push_back(stmt.Owned(c));
      points.push_back(std::move(point));
    }
    ++n;
  }
  return points;
}

Result<int64_t> SqliteSession::CountRows(const ReadSpec& spec) {
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(db_, "SELECT count(*) FROM " +
                                                         dialect_.QuoteIdentifier(spec.table) +
                                                         WhereClause(spec)));
  PL_TRY(BindRange(stmt, spec));
  PL_ASSIGN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

Result<std::unique_ptr<RowSource>> SqliteSession::Read(const ReadSpec& spec) {
  std::vector<std::string> select;
  for (const auto& c : spec.columns) select.push_back(dialect_.QuoteIdentifier(c));
  if (spec.with_key) select.push_back(KeyExpression(spec.key));
  std::string sql = "SELECT " + (select.empty() ? std::string("1") : Join(select, ", ")) +
                    " FROM " + dialect_.QuoteIdentifier(spec.table) + WhereClause(spec);
  if (spec.random_order)
    sql += " ORDER BY random()";
  else if (spec.order_by_key && !spec.key.empty())
    sql += " ORDER BY " + KeyExpression(spec.key);
  if (spec.limit >= 0) sql += " LIMIT " + std::to_string(spec.limit);
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(db_, sql));
  PL_TRY(BindRange(stmt, spec));
  return std::unique_ptr<RowSource>(new SqliteRowSource(std::move(stmt), spec.batch_rows));
}

}  // namespace peerlock
