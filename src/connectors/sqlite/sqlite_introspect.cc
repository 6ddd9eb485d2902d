// SqliteSession::Introspect: tables, columns, keys, indexes, foreign keys, views, triggers.
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "base/elapsed.h"
#include "base/log.h"
#include "base/parallel_work.h"
#include "base/strings.h"
#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_sql.h"
#include "core/integer_ranges.h"

namespace peerlock {
namespace {

// Storage classes that fit a logical type; anything else in the column is "off-type".
std::string AcceptedStorage(TypeKind kind) {
  switch (kind) {
    case TypeKind::kBool:
    case TypeKind::kInt: return "'integer'";
    case TypeKind::kFloat32:
    case TypeKind::kFloat64: return "'real', 'integer'";
    case TypeKind::kDecimal: return "'integer', 'real'";
    case TypeKind::kBytes: return "'blob'";
    case TypeKind::kDate:
    case TypeKind::kTime:
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampTz: return "'text', 'integer', 'real'";
    case TypeKind::kAny: return "";
    default: return "'text'";
  }
}

}  // namespace

Result<Catalog> SqliteSession::Introspect(bool count_rows) {
  Catalog catalog;
  catalog.dialect = "sqlite";
  catalog.server_version = sqlite3_libversion();
  PL_ASSIGN(auto objects, SqliteStatement::Prepare(db_, sql::kListObjects));
  struct Object {
    std::string type, name, table, sql;
  };
  std::vector<Object> list;
  while (true) {
    PL_ASSIGN(bool row, objects.Step());
    if (!row) break;
    list.push_back({objects.Text(0), objects.Text(1), objects.Text(2), objects.Text(3)});
  }
  for (const auto& o : list) {
    if (o.type == "table") {
      if (StartsWith(ToLower(o.sql), "create virtual table")) continue;  // listed as skipped
      PL_ASSIGN(Table t,
                WithContext(IntrospectTable(o.name, o.sql), "introspecting table " + o.name));
      catalog.tables.push_back(std::move(t));
    } else if (o.type == "view") {
      catalog.views.push_back(View{.name = o.name, .native_sql = o.sql});
    } else if (o.type == "trigger") {
      catalog.triggers.push_back(Trigger{.name = o.name, .table = o.table, .native_sql = o.sql});
    }
  }
  if (count_rows) PL_TRY(CountOffTypeValues(catalog.tables));
  return catalog;
}

Result<Table> SqliteSession::IntrospectTable(const std::string& name, const std::string& sql) {
  Table t;
  t.name = name;
  t.native_sql = sql;
  PL_ASSIGN(auto cols, SqliteStatement::Prepare(db_, sql::kTableColumns));
  PL_TRY(cols.BindText(1, name));
  std::vector<std::pair<int, std::string>> pk;
  while (true) {
    PL_ASSIGN(bool row, cols.Step());
    if (!row) break;
    Column c;
    c.name = cols.Text(1);
    c.source_type = cols.Text(2);
    c.type = dialect_.ToLogical(c.source_type);
    c.nullable = cols.Int(3) == 0;
    if (!cols.IsNull(4)) c.default_sql = cols.Text(4);
    int hidden = static_cast<int>(cols.Int(6));
    c.generated = hidden == 2 || hidden == 3;
    if (cols.Int(5) > 0) pk.emplace_back(static_cast<int>(cols.Int(5)), c.name);
    t.columns.push_back(std::move(c));
  }
  std::sort(pk.begin(), pk.end());
  for (auto& [_, column] : pk) t.primary_key.push_back(column);

  PL_ASSIGN(auto kind, SqliteStatement::Prepare(db_, sql::kTableKind));
  PL_TRY(kind.BindText(1, name));
  PL_ASSIGN(bool has_kind, kind.Step());
  t.has_row_id = !(has_kind && kind.Int(0) == 1);
  // A lone INTEGER PRIMARY KEY of a rowid table is the rowid: SQLite hands out its values.
  if (t.has_row_id && pk.size() == 1)
    for (auto& c : t.columns)
      if (c.name == pk[0].second && ToLower(c.source_type) == "integer") c.auto_increment = true;

  PL_ASSIGN(auto indexes, SqliteStatement::Prepare(db_, sql::kIndexList));
  PL_TRY(indexes.BindText(1, name));
  while (true) {
    PL_ASSIGN(bool row, indexes.Step());
    if (!row) break;
    std::string origin = indexes.Text(2);
    if (origin == "pk") continue;  // the primary key is part of the table definition
    Index index;
    index.name = indexes.Text(0);
    index.unique = indexes.Int(1) != 0;
    index.from_constraint = origin == "u";
    index.native_sql = indexes.Text(4);
    PL_ASSIGN(auto icols, SqliteStatement::Prepare(db_, sql::kIndexColumns));
    PL_TRY(icols.BindText(1, index.name));
    bool expression = false;
    while (true) {
      PL_ASSIGN(bool irow, icols.Step());
      if (!irow) break;
      if (icols.IsNull(0))
        expression = true;
      else
        index.columns.push_back(icols.Text(0));
    }
    if (expression) index.columns.clear();
    if (index.from_constraint)  // sqlite_autoindex_* names are reserved; name it as PG would
      index.name = name + "_" + Join(index.columns, "_") + "_key";
    t.indexes.push_back(std::move(index));
  }

  PL_ASSIGN(auto fks, SqliteStatement::Prepare(db_, sql::kForeignKeys));
  PL_TRY(fks.BindText(1, name));
  int64_t current = -1;
  while (true) {
    PL_ASSIGN(bool row, fks.Step());
    if (!row) break;
    if (fks.Int(0) != current) {
      current = fks.Int(0);
      ForeignKey fk;
      fk.name = fmt::format("{}_fk{}", name, current);
      fk.ref_table = fks.Text(2);
      fk.on_update = fks.Text(5);
      fk.on_delete = fks.Text(6);
      t.foreign_keys.push_back(std::move(fk));
    }
    t.foreign_keys.back().columns.push_back(fks.Text(3));
    std::string to = fks.Text(4);
    if (!to.empty()) t.foreign_keys.back().ref_columns.push_back(to);
  }

  auto bytes = SqliteStatement::Prepare(db_, sql::kTableBytes);  // dbstat may be absent
  if (bytes) {
    PL_TRY(bytes->BindText(1, name));
    if (auto row = bytes->Step(); row && *row) t.bytes = bytes->Int(0);
  }
  return t;
}

// The scan of `t` (rows with a rowid in [first, last] when `range` is given): the exact row
// count and, per column, how many values are stored in a class its declared type does not
// suggest (SQLite accepts 'abc' in an INTEGER column). Counts in column order after the rows.
Result<std::vector<int64_t>> SqliteSession::ScanOffTypeValues(
    const Table& t, std::optional<std::pair<int64_t, int64_t>> range) {
  std::vector<std::string> exprs = {"count(*)"};
  for (const auto& c : t.columns) {
    std::string accepted = AcceptedStorage(c.type.kind);
    exprs.push_back(accepted.empty() ? "0"
                                     : "coalesce(sum(typeof(" + dialect_.QuoteIdentifier(c.name) +
                                           ") NOT IN ('null', " + accepted + ")), 0)");
  }
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(db_, "SELECT " + Join(exprs, ", ") + " FROM " +
                                              dialect_.QuoteIdentifier(t.name) +
                                              (range ? " WHERE _rowid_ BETWEEN ?1 AND ?2" : "")));
  if (range) {
    PL_TRY(stmt.BindInt(1, range->first));
    PL_TRY(stmt.BindInt(2, range->second));
  }
  std::vector<int64_t> counts(t.columns.size() + 1, 0);
  PL_ASSIGN(bool row, stmt.Step());
  if (row)
    for (size_t i = 0; i < counts.size(); ++i) counts[i] = stmt.Int(static_cast<int>(i));
  return counts;
}

// Every table's scan, the large ones split in rowid ranges across read-only connections of
// their own, one per core: a copy pays this scan before its first row, on files of gigabytes.
Status SqliteSession::CountOffTypeValues(std::vector<Table>& tables) {
  struct Part {
    size_t table;
    std::optional<std::pair<int64_t, int64_t>> range;
    std::vector<int64_t> counts;
  };
  const auto scan_start = std::chrono::steady_clock::now();
  constexpr int64_t kMinSplitRows = 200000;
  const size_t cores = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  // Other connections see only what is committed: not this session's snapshot or writes, nor
  // a database that lives in memory.
  const bool parallel = cores > 1 && !in_snapshot_ && sqlite3_get_autocommit(db_) &&
                        !path_.empty() && path_.find(":memory:") == std::string::npos &&
                        path_.find("mode=memory") == std::string::npos;
  std::vector<Part> parts;
  for (size_t i = 0; i < tables.size(); ++i) {
    const Table& t = tables[i];
    // A user column named _rowid_ hides the rowid under that name: such a table is not split.
    const bool shadowed = std::any_of(t.columns.begin(), t.columns.end(),
                                      [](const Column& c) { return ToLower(c.name) == "_rowid_"; });
    if (parallel && t.has_row_id && !shadowed) {
      PL_ASSIGN(auto bounds,
                SqliteStatement::Prepare(db_, "SELECT min(_rowid_), max(_rowid_) FROM " +
                                                  dialect_.QuoteIdentifier(t.name)));
      PL_ASSIGN(bool row, bounds.Step());
      int64_t lo = row ? bounds.Int(0) : 0, hi = row ? bounds.Int(1) : 0;
      if (row && hi > lo && static_cast<__int128>(hi) - lo >= kMinSplitRows) {
        for (auto range : EvenRanges(lo, hi, static_cast<int>(cores)))
          parts.push_back({i, range, {}});
        continue;
      }
    }
    parts.push_back({i, std::nullopt, {}});
  }
  bool done = false;
  if (parallel && parts.size() > 1) {
    Status st = ForEachOnOwnState(
        parts.size(), cores, [&] { return Open(endpoint_, SessionOptions{.read_only = true}); },
        [&](std::unique_ptr<SqliteSession>& own, size_t k) -> Status {
          PL_ASSIGN(parts[k].counts,
                    own->ScanOffTypeValues(tables[parts[k].table], parts[k].range));
          return {};
        });
    done = static_cast<bool>(st);
    // A connection of its own may be refused (a locked file): this one scans alone instead.
    if (!done) PL_LOG_DEBUG("{}: parallel scan failed ({})", path_, st.error().message());
  }
  if (!done) {
    for (Part& p : parts) {
      PL_ASSIGN(p.counts, ScanOffTypeValues(tables[p.table], p.range));
    }
  }
  PL_LOG_DEBUG("{}: {} table(s) scanned in {} part(s){} in {:.2f} s", path_, tables.size(),
               parts.size(), done ? " in parallel" : "", SecondsSince(scan_start));
  for (Table& t : tables) {
    t.rows = 0;
    for (auto& c : t.columns) c.off_type_values = 0;
  }
  for (const Part& p : parts) {
    Table& t = tables[p.table];
    t.rows += p.counts[0];
    for (size_t i = 0; i < t.columns.size(); ++i) t.columns[i].off_type_values += p.counts[i + 1];
  }
  return {};
}

}  // namespace peerlock
