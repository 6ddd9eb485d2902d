// PostgresSession's bulk read side: key-range predicates, split points, counts, in-database
// digests and the COPY TO STDOUT row stream.
#include <fmt/format.h>

#include <charconv>

#include "base/strings.h"
#include "connectors/postgres/postgres_errors.h"
#include "connectors/postgres/postgres_session.h"

namespace peerlock {
namespace {

bool IsTextual(const std::string& type) {
  return PgCellFor(type) == PgCell::kText &&
         (StartsWith(type, "text") || StartsWith(type, "character") || type == "name" ||
          StartsWith(type, "citext"));
}

// A key value from a query result (text output) as the cell kind of its column.
Result<OwnedValue> KeyValue(const PGresult* r, int row, int col, PgCell cell) {
  if (PQgetisnull(r, row, col)) return OwnedValue{};
  std::string text = PQgetvalue(r, row, col);
  // Reuse the COPY decoder: a query's text output differs only in escaping, which keys of
  // these kinds do not need, except bytea and text (handled here).
  OwnedValue v;
  switch (cell) {
    case PgCell::kInt:
    case PgCell::kBool:
    case PgCell::kFloat: {
      RowBatch b(1);
      std::string scratch;
      PL_TRY(DecodeCopyRow(text, {cell}, b, scratch));
      return OwnedValue::From(b.Get(0, 0));
    }
    case PgCell::kBytes: {
      size_t n = PQgetlength(r, row, col);
      unsigned char* raw =
          PQunescapeBytea(reinterpret_cast<const unsigned char*>(text.c_str()), &n);
      if (!raw) return Fail(ErrorCode::kInternal, "cannot decode a bytea key");
      v.kind = ValueKind::kBytes;
      v.s.assign(reinterpret_cast<char*>(raw), n);
      PQfreemem(raw);
      return v;
    }
    case PgCell::kText:
      v.kind = ValueKind::kText;
      v.s = std::move(text);
      return v;
  }
  return v;
}

// Reads an exact numeric sum's decimal text modulo 2^128 (two's complement for negatives), so
// digests of adjacent ranges add up to the digest of their union, as Digest::Merge assumes.
unsigned __int128 Mod128(const std::string& text) {
  unsigned __int128 v = 0;
  bool negative = !text.empty() && text[0] == '-';
  for (char c : text)
    if (c >= '0' && c <= '9') v = v * 10 + static_cast<unsigned>(c - '0');
  return negative ? ~v + 1 : v;
}

// Streams COPY (SELECT ...) TO STDOUT into batches. Owns the COPY until it ends; cancels it
// when dropped early so the connection can run the next statement.
class PgCopyRowSource final : public RowSource {
 public:
  PgCopyRowSource(PgConnection* conn, std::vector<PgCell> cells, size_t batch_rows)
      : conn_(conn), cells_(std::move(cells)), batch_rows_(batch_rows) {}
  ~PgCopyRowSource() override {
    if (done_) return;
    if (PGcancel* cancel = PQgetCancel(conn_->raw())) {
      char err[256];
      PQcancel(cancel, err, sizeof err);
      PQfreeCancel(cancel);
    }
    char* line = nullptr;
    while (PQgetCopyData(conn_->raw(), &line, 0) > 0) PQfreemem(line);
    (void)conn_->FinishCopyOut();  // the cancel's error is expected
  }

  Result<bool> Next(RowBatch& batch) override {
    int n = static_cast<int>(cells_.size());
    if (batch.columns() != n) batch = RowBatch(n);
    batch.Clear();
    if (done_) return false;
    batch.Reserve(batch_rows_);
    while (batch.rows() < batch_rows_) {
      char* line = nullptr;
      int len = PQgetCopyData(conn_->raw(), &line, 0);
      if (len == -1) {
        done_ = true;
        PL_TRY(conn_->FinishCopyOut());
        break;
      }
      if (len < 0) {
        done_ = true;
        return Fail(conn_->ConnectionError("reading rows"));
      }
      std::string_view row(line, static_cast<size_t>(len));
      if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
      auto st = DecodeCopyRow(row, cells_, batch, scratch_);
      PQfreemem(line);
      PL_TRY(st);
    }
    return !batch.empty();
  }

 private:
  PgConnection* conn_;
  std::vector<PgCell> cells_;
  size_t batch_rows_;
  std::string scratch_;
  bool done_ = false;
};

}  // namespace

std::string PostgresSession::KeyLiteral(const OwnedValue& v) const {
  switch (v.kind) {
    case ValueKind::kNull: return "NULL";
    case ValueKind::kInt: return std::to_string(v.i);
    case ValueKind::kFloat: {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v.f);
      return conn_->Literal(std::string_view(buf, res.ptr - buf));
    }
    case ValueKind::kText: return conn_->Literal(v.s);
    case ValueKind::kBytes: {
      std::string hex = "\\x";
      for (unsigned char b : v.s) hex += fmt::format("{:02x}", b);
      return conn_->Literal(hex) + "::bytea";
    }
  }
  return "NULL";
}

Result<std::string> PostgresSession::KeyExpression(const ReadSpec& spec) {
  if (spec.key.row_id) return std::string("ctid");
  PL_ASSIGN(const TableInfo* info, Info(spec.table));
  std::vector<std::string> parts;
  for (const auto& c : spec.key.columns) {
    std::string q = dialect_.QuoteIdentifier(c);
    // Byte order, as every other dialect compares keys, so ranges cut the same rows anywhere.
    auto it = info->types.find(c);
    if (it != info->types.end() && IsTextual(it->second)) q += " COLLATE \"C\"";
    parts.push_back(q);
  }
  return Join(parts, ", ");
}

Result<std::string> PostgresSession::FromWhere(const ReadSpec& spec) {
  PL_ASSIGN(const TableInfo* info, Info(spec.table));
  std::string sql =
      std::string(" FROM ") + (info->partitioned ? "" : "ONLY ") + dialect_.QuoteTable(spec.table);
  std::vector<std::string> terms;
  if (spec.range.lower || spec.range.upper || !spec.keys.empty()) {
    PL_ASSIGN(std::string key, KeyExpression(spec));
    size_t width = spec.key.row_id ? 1 : spec.key.columns.size();
    auto tuple = [&](const KeyTuple& t) {
      std::vector<std::string> v;
      for (const auto& x : t) v.push_back(KeyLiteral(x));
      return width > 1 ? "(" + Join(v, ", ") + ")" : v.at(0);
    };
    std::string lhs = width > 1 ? "(" + key + ")" : key;
    if (spec.range.lower) terms.push_back(lhs + " >= " + tuple(*spec.range.lower));
    if (spec.range.upper) terms.push_back(lhs + " < " + tuple(*spec.range.upper));
    if (!spec.keys.empty()) {
      PL_ASSIGN(std::string in, KeyInList(lhs, spec.keys, width, tuple, spec.table));
      terms.push_back(std::move(in));
    }
  }
  if (!spec.where.empty()) terms.push_back("(" + spec.where + ")");
  if (!terms.empty()) sql += " WHERE " + Join(terms, " AND ");
  return sql;
}

Result<std::vector<KeyTuple>> PostgresSession::SplitByPages(const ReadSpec& spec,
                                                            int64_t rows_per_chunk) {
  PL_ASSIGN(auto r,
            conn_->Query("SELECT (SELECT coalesce(sum(pg_relation_size(i.inhrelid)), 0) FROM "
                         "pg_inherits i WHERE i.inhparent = c.oid) + pg_relation_size(c.oid), "
                         "current_setting('block_size')::bigint, greatest(c.reltuples, 0)::bigint "
                         "FROM pg_class c WHERE c.oid = to_regclass($1)",
                         {dialect_.QuoteTable(spec.table)}));
  if (PQntuples(r.get()) == 0) return std::vector<KeyTuple>{};
  int64_t bytes = std::atoll(PQgetvalue(r.get(), 0, 0));
  int64_t block = std::max<int64_t>(1, std::atoll(PQgetvalue(r.get(), 0, 1)));
  int64_t rows = std::atoll(PQgetvalue(r.get(), 0, 2));
  int64_t pages = bytes / block;
  if (rows <= 0) {
    PL_ASSIGN(auto count, conn_->QueryValue("SELECT count(*)" + std::string(" FROM ") +
                                            dialect_.QuoteTable(spec.table)));
    rows = std::atoll(count.value_or("0").c_str());
  }
  std::vector<KeyTuple> points;
  if (pages <= 1 || rows <= rows_per_chunk) return points;
  int64_t per_chunk = std::max<int64_t>(1, pages * rows_per_chunk / rows);
  for (int64_t p = per_chunk; p < pages; p += per_chunk)
    points.push_back({OwnedValue{.kind = ValueKind::kText, .s = fmt::format("({},0)", p)}});
  return points;
}

Result<std::vector<KeyTuple>> PostgresSession::SplitIntegerKey(const ReadSpec& spec,
                                                               int64_t rows_per_chunk) {
  PL_ASSIGN(std::string key, KeyExpression(spec));
  PL_ASSIGN(std::string from, FromWhere(spec));
  PL_ASSIGN(auto r, conn_->Query("SELECT min(" + key + "), max(" + key + "), (SELECT " +
                                 "greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = " +
                                 "to_regclass(" + conn_->Literal(dialect_.QuoteTable(spec.table)) +
                                 "))" + from));
  if (PQgetisnull(r.get(), 0, 0)) return std::vector<KeyTuple>{};
  int64_t lo = std::atoll(PQgetvalue(r.get(), 0, 0));
  int64_t hi = std::atoll(PQgetvalue(r.get(), 0, 1));
  int64_t rows = std::atoll(PQgetvalue(r.get(), 0, 2));
  // The table's estimate only describes a whole-table split; a sub-range counts its rows.
  if (rows <= 0 || !spec.range.unbounded()) {
    PL_ASSIGN(rows, CountRows(spec));
  }
  std::vector<KeyTuple> points;
  if (rows <= rows_per_chunk) return points;
  int64_t chunks = (rows + rows_per_chunk - 1) / rows_per_chunk;
  // Even steps over the key space (as pgcopydb does): no scan, at the price of uneven chunks
  // where keys have gaps.
  unsigned __int128 span = static_cast<unsigned __int128>(static_cast<__int128>(hi) - lo) + 1;
  for (int64_t i = 1; i < chunks; ++i) {
    int64_t point = lo + static_cast<int64_t>(span * i / chunks);
    if (points.empty() || points.back()[0].i != point)
      points.push_back({OwnedValue{.kind = ValueKind::kInt, .i = point}});
  }
  return points;
}

Result<std::vector<KeyTuple>> PostgresSession::SplitPoints(const ReadSpec& spec,
                                                           int64_t rows_per_chunk) {
  if (spec.key.row_id) return SplitByPages(spec, rows_per_chunk);
  PL_ASSIGN(auto cells, Cells(spec.table, spec.key.columns));
  if (cells.size() == 1 && cells[0] == PgCell::kInt && spec.where.empty())
    return SplitIntegerKey(spec, rows_per_chunk);
  PL_ASSIGN(std::string key, KeyExpression(spec));
  PL_ASSIGN(std::string from, FromWhere(spec));
  std::vector<std::string> names;
  for (size_t i = 0; i < spec.key.columns.size(); ++i) names.push_back(fmt::format("k{}", i));
  std::vector<std::string> aliased;
  for (size_t i = 0; i < spec.key.columns.size(); ++i)
    aliased.push_back(dialect_.QuoteIdentifier(spec.key.columns[i]) + " AS " + names[i]);
  // One ordered pass inside the server; only every rows_per_chunk-th key crosses the wire.
  std::string sql = fmt::format(
      "SELECT {} FROM (SELECT {}, row_number() OVER (ORDER BY {}) AS rn{}) s "
      "WHERE rn % {} = 1 AND rn > 1 ORDER BY rn",
      Join(names, ", "), Join(aliased, ", "), key, from, rows_per_chunk);
  PL_ASSIGN(auto r, conn_->Query(sql));
  std::vector<KeyTuple> points;
  for (int row = 0; row < PQntuples(r.get()); ++row) {
    KeyTuple t;
    for (size_t c = 0; c < cells.size(); ++c) {
      PL_ASSIGN(auto v, KeyValue(r.get(), row, static_cast<int>(c), cells[c]));
      t.push_back(std::move(v));
    }
    points.push_back(std::move(t));
  }
  return points;
}

Result<int64_t> PostgresSession::CountRows(const ReadSpec& spec) {
  PL_ASSIGN(std::string from, FromWhere(spec));
  PL_ASSIGN(auto count, conn_->QueryValue("SELECT count(*)" + from));
  return std::atoll(count.value_or("0").c_str());
}

Result<bool> PostgresSession::HashRecordWorks(const ReadSpec& spec, const std::string& row) {
  if (auto it = hash_record_ok_.find(spec.table); it != hash_record_ok_.end()) return it->second;
  // hash_record_extended needs a hash function for every column type (json, xml, point have
  // none); probe once, inside a savepoint so an open snapshot survives the failure.
  if (in_snapshot_) PL_TRY(conn_->Execute("SAVEPOINT peerlock_probe"));
  // Over the whole table: a type without a hash function fails on the first row hashed, so a
  // range that happens to be empty proves nothing.
  PL_ASSIGN(const TableInfo* info, Info(spec.table));
  std::string table = std::string(info->partitioned ? "" : "ONLY ") +
                      dialect_.QuoteTable(spec.table) + (row == "pl_row" ? " AS pl_row" : "");
  auto probe =
      conn_->Query("SELECT hash_record_extended(" + row + ", 0) FROM " + table + " LIMIT 1");
  if (in_snapshot_)
    PL_TRY(conn_->Execute(probe ? "RELEASE SAVEPOINT peerlock_probe"
                                : "ROLLBACK TO SAVEPOINT peerlock_probe"));
  if (!probe && probe.error().code() == ErrorCode::kConnection) return Fail(probe.error());
  return hash_record_ok_[spec.table] = probe.has_value();
}

Result<std::optional<Digest>> PostgresSession::ServerDigest(const ReadSpec& spec) {
  PL_ASSIGN(const TableInfo* info, Info(spec.table));
  std::vector<std::string> cols;
  for (const auto& c : spec.columns) cols.push_back(dialect_.QuoteIdentifier(c));
  // The whole row by the table's alias is cheaper to build than ROW(...) of its columns.
  bool whole_row = spec.columns == info->columns;
  std::string row =
      whole_row ? "pl_row" : "ROW(" + (cols.empty() ? std::string("1") : Join(cols, ", ")) + ")";
  PL_ASSIGN(std::string from, FromWhere(spec));
  if (whole_row) {
    auto where = from.find(" WHERE ");
    from.insert(where == std::string::npos ? from.size() : where, " AS pl_row");
  }
  // A 64-bit hash of each row, summed exactly and kept modulo 2^128: an order-independent,
  // additive digest computed where the rows are (same-dialect only; one aggregate keeps it at
  // memory speed). Where every column type's hash agrees with canonical equality (12.50 =
  // 12.5, equal jsonb, equal instants) the type hashes are used; otherwise the row's exact
  // text is hashed (interval '1 mon' and '30 days' are equal to PostgreSQL, not the same).
  bool by_type = info->hash_faithful;
  if (by_type) {
    PL_ASSIGN(by_type, HashRecordWorks(spec, row));
  }
  std::string hash =
      by_type ? "hash_record_extended(" + row + ", 0)" : "hashtextextended(" + row + "::text, 0)";
  PL_ASSIGN(auto r, conn_->Query("SELECT count(*), coalesce(sum(" + hash + "), 0)::text" + from));
  Digest d;
  d.rows = std::atoll(PQgetvalue(r.get(), 0, 0));
  d.sum = Mod128(PQgetvalue(r.get(), 0, 1));
  return std::optional<Digest>(d);
}

Result<std::optional<RawChunk>> PostgresSession::ReadRaw(const ReadSpec& spec) {
  std::vector<std::string> select;
  for (const auto& c : spec.columns) select.push_back(dialect_.QuoteIdentifier(c));
  if (select.empty()) return std::optional<RawChunk>();
  PL_ASSIGN(std::string from, FromWhere(spec));
  PL_TRY(conn_->StartCopy(
      "COPY (SELECT " + Join(select, ", ") + from + ") TO STDOUT (FORMAT binary)", PGRES_COPY_OUT));
  RawChunk chunk;
  std::string piece;
  constexpr size_t kPieceBytes = 1 << 20;
  while (true) {
    char* data = nullptr;
    int len = PQgetCopyData(conn_->raw(), &data, 0);
    if (len == -1) break;
    if (len < 0) return Fail(conn_->ConnectionError("reading rows of " + spec.table));
    piece.append(data, static_cast<size_t>(len));
    PQfreemem(data);
    ++chunk.rows;  // one CopyData message per row, plus one for the trailer (below)
    if (piece.size() >= kPieceBytes) {
      chunk.pieces.push_back(std::move(piece));
      piece = std::string();
    }
  }
  PL_TRY(conn_->FinishCopyOut());
  if (!piece.empty()) chunk.pieces.push_back(std::move(piece));
  chunk.rows = std::max<int64_t>(0, chunk.rows - 1);  // the trailer message
  return std::optional<RawChunk>(std::move(chunk));
}

Result<std::unique_ptr<RowSource>> PostgresSession::Read(const ReadSpec& spec) {
  std::vector<std::string> select;
  std::vector<std::string> read_columns = spec.columns;
  for (const auto& c : spec.columns) select.push_back(dialect_.QuoteIdentifier(c));
  PL_ASSIGN(auto cells, Cells(spec.table, spec.columns));
  if (spec.with_key) {
    if (spec.key.row_id) {
      select.push_back("ctid");
      cells.push_back(PgCell::kText);
    } else {
      PL_ASSIGN(auto key_cells, Cells(spec.table, spec.key.columns));
      for (size_t i = 0; i < spec.key.columns.size(); ++i) {
        select.push_back(dialect_.QuoteIdentifier(spec.key.columns[i]));
        cells.push_back(key_cells[i]);
      }
    }
  }
  PL_ASSIGN(std::string from, FromWhere(spec));
  std::string sql = "SELECT " + (select.empty() ? std::string("1") : Join(select, ", ")) + from;
  if (select.empty()) cells.push_back(PgCell::kInt);
  if (spec.random_order) {
    sql += " ORDER BY random()";
  } else if (spec.order_by_key && !spec.key.empty()) {
    PL_ASSIGN(std::string key, KeyExpression(spec));
    sql += " ORDER BY " + key;
  }
  if (spec.limit >= 0) sql += " LIMIT " + std::to_string(spec.limit);
  PL_TRY(conn_->StartCopy("COPY (" + sql + ") TO STDOUT", PGRES_COPY_OUT));
  return std::unique_ptr<RowSource>(
      new PgCopyRowSource(conn_.get(), std::move(cells), spec.batch_rows));
}

}  // namespace peerlock
