// MysqlSession's bulk read side: key-range predicates, split points, counts, the streamed row
// source and the in-server digest.
#include <fmt/format.h>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>

#include "base/strings.h"
#include "connectors/mysql/mysql_key_ranges.h"
#include "connectors/mysql/mysql_session.h"

namespace peerlock {
namespace {

// How one result column becomes RowBatch cells (the value conventions of docs/mysql.md).
enum class Conv { kInt, kUnsigned, kFloat, kFloat32, kText, kBytes, kBits, kDate };

Conv ConvFor(const MYSQL_FIELD& f) {
  switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_YEAR: return Conv::kInt;
    case MYSQL_TYPE_LONGLONG: return (f.flags & UNSIGNED_FLAG) ? Conv::kUnsigned : Conv::kInt;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE: return Conv::kFloat;
    case MYSQL_TYPE_BIT: return Conv::kBits;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP: return Conv::kDate;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
    case MYSQL_TYPE_TIME: return Conv::kText;
    default: return f.charsetnr == 63 ? Conv::kBytes : Conv::kText;  // 63 = binary
  }
}

// '0000-00-00', '2024-03-00' and their DATETIME forms: no real date, read as NULL
// (inventory warns and relaxes NOT NULL; docs/mysql.md).
bool IsZeroDate(std::string_view v) {
  return v.size() >= 10 && (v.substr(5, 2) == "00" || v.substr(8, 2) == "00");
}

void AddCell(RowBatch& batch, Conv conv, const char* data, unsigned long length, unsigned width) {
  if (!data) return batch.AddNull();
  std::string_view v(data, length);
  switch (conv) {
    case Conv::kInt: {
      int64_t i = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), i);
      if (r.ec == std::errc() && r.ptr == v.data() + v.size()) return batch.AddInt(i);
      return batch.AddText(v);
    }
    case Conv::kUnsigned: {
      uint64_t u = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), u);
      if (r.ec == std::errc() && r.ptr == v.data() + v.size() &&
          u <= static_cast<uint64_t>(INT64_MAX))
        return batch.AddInt(static_cast<int64_t>(u));
      return batch.AddText(v);  // above INT64_MAX: exact decimal text
    }
    case Conv::kFloat: {
      double d = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), d);
      if (r.ec == std::errc() && r.ptr == v.data() + v.size()) return batch.AddFloat(d);
      return batch.AddText(v);
    }
    case Conv::kFloat32: {
      // A FLOAT read as the double it widens to (MariaDB prints FLOAT with 6 digits only);
      // carried as the double nearest the float's shortest decimal form, so FLOAT 0.1 lands as
      // 0.1 in a double column too.
      double d = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), d);
      if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return batch.AddText(v);
      char buf[64];
      auto w = std::to_chars(buf, buf + sizeof buf, static_cast<float>(d));
      double shortest = d;
      std::from_chars(buf, w.ptr, shortest);
      // At the edge of the range the shortest form rounds past FLT_MAX, which FLOAT refuses.
      return batch.AddFloat(std::fabs(shortest) > FLT_MAX ? d : shortest);
    }
    case Conv::kBits: {
      // Big-endian bytes -> the `width` low bits as '0'/'1'.
      std::string bits(width, '0');
      for (unsigned i = 0; i < width; ++i) {
        size_t bit = width - 1 - i;  // position from the least significant bit
        size_t byte = length - 1 - bit / 8;
        if (bit / 8 < length && (static_cast<unsigned char>(v[byte]) >> (bit % 8)) & 1)
          bits[i] = '1';
      }
      return batch.AddText(bits);
    }
    case Conv::kDate:
      if (IsZeroDate(v)) return batch.AddNull();
      return batch.AddText(v);
    case Conv::kBytes: return batch.AddBytes(v);
    case Conv::kText: return batch.AddText(v);
  }
}

class MysqlRowSource final : public RowSource {
 public:
  // `float32[i]` marks result columns that are FLOAT columns read as DOUBLE.
  MysqlRowSource(MysqlConnection* conn, MYSQL_RES* res, size_t batch_rows, bool row_counter,
                 const std::vector<bool>& float32 = {})
      : conn_(conn), res_(res), batch_rows_(batch_rows), row_counter_(row_counter) {
    unsigned n = mysql_num_fields(res);
    MYSQL_FIELD* fields = mysql_fetch_fields(res);
    for (unsigned i = 0; i < n; ++i) {
      bool narrow = i < float32.size() && float32[i];
      convs_.push_back(narrow ? Conv::kFloat32 : ConvFor(fields[i]));
      widths_.push_back(static_cast<unsigned>(fields[i].length));
    }
  }
  ~MysqlRowSource() override {
    if (res_) mysql_free_result(res_);  // drains what was not read
  }

  Result<bool> Next(RowBatch& batch) override {
    int n = static_cast<int>(convs_.size()) + (row_counter_ ? 1 : 0);
    if (batch.columns() != n) batch = RowBatch(n);
    batch.Clear();
    if (done_) return false;
    batch.Reserve(batch_rows_);
    while (batch.rows() < batch_rows_) {
      MYSQL_ROW row = mysql_fetch_row(res_);
      if (!row) {
        if (mysql_errno(conn_->handle())) return Fail(conn_->LastError("reading rows"));
        done_ = true;
        break;
      }
      unsigned long* lengths = mysql_fetch_lengths(res_);
      for (size_t c = 0; c < convs_.size(); ++c)
        AddCell(batch, convs_[c], row[c], lengths[c], widths_[c]);
      if (row_counter_) batch.AddInt(++rows_);
    }
    return !batch.empty();
  }

 private:
  MysqlConnection* conn_;
  MYSQL_RES* res_;
  size_t batch_rows_;
  bool row_counter_;
  bool done_ = false;
  int64_t rows_ = 0;
  std::vector<Conv> convs_;
  std::vector<unsigned> widths_;
};

bool IsSpatial(const std::string& data_type) {
  static const char* kTypes[] = {
      "geometry",   "point",           "linestring",   "polygon",
      "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
  for (const char* t : kTypes)
    if (data_type == t) return true;
  return false;
}

// Adds a decimal (as MariaDB prints SUM of unsigned) into a 128-bit sum, modulo 2^128.
unsigned __int128 ParseU128(std::string_view text) {
  unsigned __int128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

}  // namespace

Result<std::string> MysqlSession::SelectExpression(const std::string& table,
                                                   const std::string& column, bool* float32) {
  PL_ASSIGN(auto* info, Info(table));
  std::string quoted = dialect_.QuoteIdentifier(column);
  if (float32) *float32 = false;
  for (const auto& c : *info) {
    if (c.name != column) continue;
    // WKT, after "SRID=n;" when the SRID is not 0 (PostGIS's EWKT): the SRID is part of the
    // value, and a copy or a verify that dropped it would change or miss it.
    if (IsSpatial(c.data_type))
      return fmt::format(
          "IF(ST_SRID({0}) = 0, ST_AsText({0}), CONCAT('SRID=', ST_SRID({0}), ';', "
          "ST_AsText({0})))",
          quoted);
    if (c.data_type == "float") {
      if (float32) *float32 = true;
      return "CAST(" + quoted + " AS DOUBLE)";
    }
  }
  return quoted;
}

Result<std::string> MysqlSession::KeyExpression(const ReadSpec& spec) {
  PL_ASSIGN(auto* info, Info(spec.table));
  std::vector<std::string> terms;
  for (const auto& k : spec.key.columns) {
    std::string term = dialect_.QuoteIdentifier(k);
    for (const auto& c : *info) {
      if (c.name != k || c.collation.empty()) continue;
      // Other dialects compare text byte-wise with trailing spaces significant; so must the
      // chunk bounds here, or a chunk would hold different rows on the two sides.
      if (!c.collation.ends_with("_nopad_bin") && c.collation != "binary")
        term = "CAST(" + term + " AS BINARY)";
    }
    terms.push_back(term);
  }
  return Join(terms, ", ");
}

std::string MysqlSession::KeyLiteral(const OwnedValue& v) {
  switch (v.kind) {
    case ValueKind::kNull: return "NULL";
    case ValueKind::kInt: return std::to_string(v.i);
    case ValueKind::kFloat: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.f);
      return std::string(buf, r.ptr);
    }
    case ValueKind::kText: return conn_->Literal(v.s);
    case ValueKind::kBytes: return v.s.empty() ? "''" : "X'" + HexEncode(v.s) + "'";
  }
  return "NULL";
}

Result<std::string> MysqlSession::WhereClause(const ReadSpec& spec) {
  std::vector<std::string> terms;
  if (!spec.key.row_id && !spec.key.columns.empty() &&
      (!spec.range.unbounded() || !spec.keys.empty())) {
    PL_ASSIGN(std::string key, KeyExpression(spec));
    size_t width = spec.key.columns.size();
    if (width > 1) key = "(" + key + ")";
    auto tuple = [&](const KeyTuple& t) {
      std::vector<std::string> parts;
      for (const auto& v : t) parts.push_back(KeyLiteral(v));
      return width > 1 ? "(" + Join(parts, ", ") + ")" : parts.at(0);
    };
    if (spec.range.lower) {
      if (spec.range.lower->size() != width)
        return Fail(ErrorCode::kInternal, "key bound of wrong width for " + spec.table);
      terms.push_back(key + " >= " + tuple(*spec.range.lower));
    }
    if (spec.range.upper) {
      if (spec.range.upper->size() != width)
        return Fail(ErrorCode::kInternal, "key bound of wrong width for " + spec.table);
      terms.push_back(key + " < " + tuple(*spec.range.upper));
    }
    if (!spec.keys.empty()) {
      PL_ASSIGN(std::string in, KeyInList(key, spec.keys, width, tuple, spec.table));
      terms.push_back(std::move(in));
    }
  }
  if (!spec.where.empty()) terms.push_back("(" + spec.where + ")");
  return terms.empty() ? std::string() : " WHERE " + Join(terms, " AND ");
}

Result<std::vector<KeyTuple>> MysqlSession::SplitPoints(const ReadSpec& spec,
                                                        int64_t rows_per_chunk) {
  std::vector<KeyTuple> points;
  if (spec.key.row_id || spec.key.columns.empty()) return points;  // no key: one chunk
  // A whole table with one integer key: even ranges from its bounds, no scan.
  if (spec.key.columns.size() == 1 && spec.range.unbounded() && spec.keys.empty() &&
      spec.where.empty()) {
    PL_ASSIGN(auto bounds, FindIntegerKeyBounds(*conn_, dialect_, spec.table, spec.key.columns[0]));
    if (bounds && DenseEnough(*bounds, rows_per_chunk)) {
      for (int64_t p : EvenSplitPoints(bounds->min, bounds->max, rows_per_chunk))
        points.push_back({OwnedValue{.kind = ValueKind::kInt, .i = p}});
      return points;
    }
  }
  PL_ASSIGN(std::string where, WhereClause(spec));
  PL_ASSIGN(std::string key, KeyExpression(spec));
  // One ordered pass over the key, keeping every rows_per_chunk-th key.
  std::vector<std::string> select;
  for (const auto& k : spec.key.columns) select.push_back(dialect_.QuoteIdentifier(k));
  PL_ASSIGN(MYSQL_RES * res,
            conn_->Stream("SELECT " + Join(select, ", ") + " FROM " +
                          dialect_.QuoteIdentifier(spec.table) + where + " ORDER BY " + key));
  MysqlRowSource rows(conn_.get(), res, 4096, false);
  RowBatch batch;
  int64_t n = 0;
  while (true) {
    PL_ASSIGN(bool more, rows.Next(batch));
    if (!more) break;
    for (size_t r = 0; r < batch.rows(); ++r, ++n) {
      if (n == 0 || n % rows_per_chunk != 0) continue;
      KeyTuple point;
      for (int c = 0; c < batch.columns(); ++c) point.push_back(OwnedValue::From(batch.Get(r, c)));
      points.push_back(std::move(point));
    }
  }
  return points;
}

Result<int64_t> MysqlSession::CountRows(const ReadSpec& spec) {
  PL_ASSIGN(std::string where, WhereClause(spec));
  PL_ASSIGN(auto rows,
            conn_->Query("SELECT count(*) FROM " + dialect_.QuoteIdentifier(spec.table) + where));
  return rows.empty() ? 0 : ParseInt64(rows[0][0].value_or("0")).value_or(0);
}

Result<std::unique_ptr<RowSource>> MysqlSession::Read(const ReadSpec& spec) {
  std::vector<std::string> select;
  std::vector<bool> float32;
  for (const auto& c : spec.columns) {
    bool narrow = false;
    PL_ASSIGN(std::string expr, SelectExpression(spec.table, c, &narrow));
    select.push_back(expr);
    float32.push_back(narrow);
  }
  bool row_counter = spec.with_key && (spec.key.row_id || spec.key.columns.empty());
  if (spec.with_key && !row_counter)
    for (const auto& k : spec.key.columns) select.push_back(dialect_.QuoteIdentifier(k));
  PL_ASSIGN(std::string where, WhereClause(spec));
  std::string sql = "SELECT " + (select.empty() ? std::string("1") : Join(select, ", ")) +
                    " FROM " + dialect_.QuoteIdentifier(spec.table) + where;
  if (spec.random_order) {
    sql += " ORDER BY rand()";
  } else if (spec.order_by_key && !spec.key.columns.empty() && !spec.key.row_id) {
    PL_ASSIGN(std::string key, KeyExpression(spec));
    sql += " ORDER BY " + key;
  }
  if (spec.limit >= 0) sql += " LIMIT " + std::to_string(spec.limit);
  PL_ASSIGN(MYSQL_RES * res, conn_->Stream(sql));
  return std::unique_ptr<RowSource>(new MysqlRowSource(
      conn_.get(), res, std::max<size_t>(spec.batch_rows, 1), row_counter, float32));
}

Result<std::optional<Digest>> MysqlSession::ServerDigest(const ReadSpec& spec) {
  // Same-dialect only (CANONICAL.md): md5 of a length-prefixed rendering of every column,
  // summed as two 64-bit halves in exact DECIMAL arithmetic, which is the 128-bit sum of the
  // per-row md5 values modulo 2^128 (additive, so chunks combine and bisect).
  std::vector<std::string> fields;
  for (const auto& c : spec.columns) {
    PL_ASSIGN(std::string expr, SelectExpression(spec.table, c));
    fields.push_back("coalesce(concat('1', length(" + expr + "), ':', " + expr + "), '0')");
  }
  if (fields.empty()) fields.push_back("''");
  PL_ASSIGN(std::string where, WhereClause(spec));
  std::string h = "md5(concat(" + Join(fields, ", ") + "))";
  PL_ASSIGN(auto rows,
            conn_->Query("SELECT count(*), coalesce(sum(cast(conv(left(h, 16), 16, 10) AS "
                         "UNSIGNED)), 0), coalesce(sum(cast(conv(right(h, 16), 16, 10) AS "
                         "UNSIGNED)), 0) FROM (SELECT " +
                         h + " AS h FROM " + dialect_.QuoteIdentifier(spec.table) + where +
                         ") AS peerlock_rows"));
  if (rows.empty()) return std::optional<Digest>();
  Digest d;
  d.rows = ParseInt64(rows[0][0].value_or("0")).value_or(0);
  d.sum = (ParseU128(rows[0][1].value_or("0")) << 64) + ParseU128(rows[0][2].value_or("0"));
  return std::optional<Digest>(d);
}

}  // namespace peerlock
