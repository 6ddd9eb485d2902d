// MysqlSession::Introspect: tables with exact column definitions, keys, indexes, foreign keys,
// checks, AUTO_INCREMENT counters; views and triggers; routines, events, partitioning and
// non-transactional engines listed with what will not be migrated.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <thread>

#include "base/log.h"
#include "base/parallel_work.h"
#include "base/strings.h"
#include "connectors/mysql/mysql_key_ranges.h"
#include "connectors/mysql/mysql_session.h"
#include "connectors/mysql/mysql_sql.h"

namespace peerlock {
namespace {

std::string Get(const std::vector<std::optional<std::string>>& row, size_t i) {
  return i < row.size() ? row[i].value_or("") : "";
}

// "`db`.`t`" -> "`t`": view definitions name their own database, the target's differs.
std::string WithoutDatabase(std::string sql, const std::string& database) {
  std::string prefix = "`" + database + "`.";
  for (size_t pos; (pos = sql.find(prefix)) != std::string::npos;) sql.erase(pos, prefix.size());
  return sql;
}

// The clause of index `name` in SHOW CREATE TABLE ("UNIQUE KEY `u` (`a`(10))"), or "".
std::string IndexClause(const std::string& create_sql, const std::string& quoted_name) {
  for (const auto& line : Split(create_sql, '\n')) {
    std::string t = Trim(line);
    if (!t.empty() && t.back() == ',') t.pop_back();
    auto pos = t.find("KEY " + quoted_name + " ");
    if (pos != std::string::npos && t.find("PRIMARY KEY") == std::string::npos &&
        t.find("FOREIGN KEY") == std::string::npos)
      return t;
  }
  return "";
}

bool IsTemporalDate(const std::string& data_type) {
  return data_type == "date" || data_type == "datetime" || data_type == "timestamp";
}

}  // namespace

Result<Catalog> MysqlSession::Introspect(bool count_rows) {
  Catalog catalog;
  catalog.dialect = dialect_.name();
  catalog.server_version = conn_->server_version();
  const std::string database = conn_->endpoint().database();

  PL_ASSIGN(auto tables, conn_->Query(std::string(sql::kTables)));
  std::map<std::string, size_t> by_name;
  std::map<std::string, std::string> counters;  // table -> its AUTO_INCREMENT counter
  for (const auto& r : tables) {
    std::string name = Get(r, 0), type = Get(r, 1), engine = Get(r, 2);
    if (type == "VIEW") continue;
    if (type == "SEQUENCE") {
      catalog.others.push_back({"sequence", name, "MariaDB SEQUENCE object: not migrated"});
      continue;
    }
    Table t;
    t.name = name;
    t.has_row_id = true;  // no hidden key, but nothing to warn about either (SQLite's term)
    t.rows = ParseInt64(Get(r, 3)).value_or(-1);
    t.bytes = ParseInt64(Get(r, 4)).value_or(-1);
    std::string options = ToLower(Get(r, 6));
    if (engine != "InnoDB" && !engine.empty())
      catalog.warnings.push_back(
          fmt::format("table {} uses the {} engine, which is not transactional: its rows are "
                      "not read from a consistent snapshot; stop writes to it during the copy",
                      name, engine));
    if (options.find("partitioned") != std::string::npos)
      catalog.others.push_back({"partitioning", name,
                                "partitioned table: recreated with its partitions only by a "
                                "MariaDB -> MariaDB copy of an unchanged table"});
    if (r[5]) {
      // BIGINT UNSIGNED counters can pass what a SequenceValue holds: such a counter is kept
      // only by a MariaDB -> MariaDB copy (its CREATE TABLE), never carried as 0.
      if (auto next = ParseInt64(Get(r, 5)))
        catalog.sequences.push_back(SequenceValue{.name = name, .last_value = *next - 1});
      else
        catalog.warnings.push_back(fmt::format(
            "table {}: its AUTO_INCREMENT counter {} is beyond 64-bit signed integers: kept "
            "only by a MariaDB -> MariaDB copy",
            name, Get(r, 5)));
      counters[name] = Get(r, 5);
    }
    by_name[name] = catalog.tables.size();
    catalog.tables.push_back(std::move(t));
  }
  auto table = [&](const std::string& name) -> Table* {
    auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : &catalog.tables[it->second];
  };

  // Column-level JSON checks mark JSON columns (MariaDB's JSON is LONGTEXT + json_valid).
  PL_ASSIGN(auto checks, conn_->Query(std::string(sql::kCheckConstraints)));
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> checks_of;
  for (const auto& r : checks) checks_of[Get(r, 0)].emplace_back(Get(r, 1), Get(r, 2));

  PL_ASSIGN(auto columns, conn_->Query(std::string(sql::kTableColumns)));
  for (const auto& r : columns) {
    Table* t = table(Get(r, 0));
    if (!t) continue;
    Column c;
    c.name = Get(r, 1);
    c.source_type = Get(r, 5);
    std::string data_type = ToLower(Get(r, 4)), extra = ToLower(Get(r, 7));
    c.nullable = Get(r, 3) == "YES";
    // The collation belongs to the native type: other dialects do not know its name.
    if (std::string collation = Get(r, 6); !collation.empty())
      c.source_type += " COLLATE " + collation;
    if (r[2] && *r[2] != "NULL") c.default_sql = *r[2];
    c.generated = extra.find("generated") != std::string::npos;
    c.auto_increment = extra.find("auto_increment") != std::string::npos;
    if (c.auto_increment && counters.count(t->name)) {
      uint64_t next = 0;
      const std::string& text = counters[t->name];
      if (std::from_chars(text.data(), text.data() + text.size(), next).ec == std::errc())
        c.counter_next = next;
    }
    if (c.generated) c.generated_sql = Get(r, 8);
    if (data_type == "longtext")
      for (const auto& [name, clause] : checks_of[t->name])
        if (name == c.name && clause == "json_valid(`" + c.name + "`)") c.source_type = "json";
    c.type = dialect_.ToLogical(c.source_type);
    if (c.type.kind == TypeKind::kOpaque)
      catalog.warnings.push_back(
          fmt::format("{}.{} is {}: carried as its WKT text, compared only MariaDB to MariaDB",
                      t->name, c.name, c.source_type));
    if (extra.find("on update") != std::string::npos)
      catalog.warnings.push_back(fmt::format(
          "{}.{} has ON UPDATE CURRENT_TIMESTAMP: kept only by a MariaDB -> MariaDB copy", t->name,
          c.name));
    t->columns.push_back(std::move(c));
  }
  for (auto& [table_name, list] : checks_of) {
    Table* t = table(table_name);
    if (!t) continue;
    for (const auto& [name, clause] : list) {
      const Column* c = t->FindColumn(name);
      if (c && c->type.kind == TypeKind::kJson && clause == "json_valid(`" + name + "`)") continue;
      t->checks.push_back(clause);
    }
  }

  for (auto& t : catalog.tables) {
    PL_ASSIGN(auto create, conn_->Query("SHOW CREATE TABLE " + dialect_.QuoteIdentifier(t.name)));
    if (!create.empty()) t.native_sql = Get(create[0], 1);
  }

  PL_ASSIGN(auto indexes, conn_->Query(std::string(sql::kIndexes)));
  for (const auto& r : indexes) {
    Table* t = table(Get(r, 0));
    if (!t) continue;
    std::string name = Get(r, 1), column = Get(r, 3);
    if (name == "PRIMARY") {
      t->primary_key.push_back(column);
      continue;
    }
    if (t->indexes.empty() || t->indexes.back().name != name) {
      Index index;
      index.name = name;
      index.unique = Get(r, 2) == "0";
      index.native_sql = IndexClause(t->native_sql, dialect_.QuoteIdentifier(name));
      t->indexes.push_back(std::move(index));
    }
    t->indexes.back().columns.push_back(column);
  }

  PL_ASSIGN(auto fks, conn_->Query(std::string(sql::kForeignKeys)));
  for (const auto& r : fks) {
    Table* t = table(Get(r, 0));
    if (!t) continue;
    std::string name = Get(r, 1);
    if (t->foreign_keys.empty() || t->foreign_keys.back().name != name) {
      ForeignKey fk;
      fk.name = name;
      fk.ref_table = Get(r, 3);
      fk.on_update = Get(r, 5);
      fk.on_delete = Get(r, 6);
      t->foreign_keys.push_back(std::move(fk));
    }
    t->foreign_keys.back().columns.push_back(Get(r, 2));
    t->foreign_keys.back().ref_columns.push_back(Get(r, 4));
  }

  // Exact counts, and zero dates: '0000-00-00' / '2024-03-00' are read as NULL, so their
  // NOT NULL is relaxed and the table's DDL is rendered rather than replayed.
  if (count_rows) {
    struct Scan {
      std::string select;  // "SELECT count(*), <checks> FROM t"
      std::vector<Column*> dated, flags;
    };
    std::vector<Scan> scans;
    for (auto& t : catalog.tables) {
      Scan scan;
      std::vector<std::string> exprs = {"count(*)"};
      for (auto& c : t.columns) {
        std::string base = ToLower(c.source_type.substr(0, c.source_type.find('(')));
        std::string q = dialect_.QuoteIdentifier(c.name);
        if (IsTemporalDate(base)) {
          exprs.push_back("coalesce(sum(" + q + " IS NOT NULL AND (month(" + q +
                          ") = 0 OR dayofmonth(" + q + ") = 0)), 0)");
          scan.dated.push_back(&c);
        }
      }
      // TINYINT(1) says bool, but MariaDB lets it hold -128..127: the data decides.
      for (auto& c : t.columns) {
        if (c.type.kind != TypeKind::kBool) continue;
        exprs.push_back("coalesce(sum(" + dialect_.QuoteIdentifier(c.name) + " NOT IN (0, 1)), 0)");
        scan.flags.push_back(&c);
      }
      scan.select = "SELECT " + Join(exprs, ", ") + " FROM " + dialect_.QuoteIdentifier(t.name);
      scans.push_back(std::move(scan));
    }
    PL_ASSIGN(auto sums, ScanTables(catalog, scans.size(), [&](size_t i) -> const std::string& {
                return scans[i].select;
              }));
    for (size_t k = 0; k < catalog.tables.size(); ++k) {
      Table& t = catalog.tables[k];
      const Scan& scan = scans[k];
      const std::vector<int64_t>& counts = sums[k];
      if (counts.empty()) continue;
      t.rows = counts[0];
      for (size_t i = 0; i < scan.dated.size(); ++i) {
        int64_t zeros = counts[i + 1];
        if (zeros == 0) continue;
        catalog.warnings.push_back(fmt::format(
            "{}.{} holds {} zero or partial-zero date(s) (e.g. 0000-00-00): copied as NULL{}",
            t.name, scan.dated[i]->name, zeros,
            scan.dated[i]->nullable ? "" : ", NOT NULL relaxed"));
        scan.dated[i]->nullable = true;
        t.native_sql.clear();
      }
      for (size_t i = 0; i < scan.flags.size(); ++i) {
        int64_t others = counts[1 + scan.dated.size() + i];
        if (others == 0) continue;
        scan.flags[i]->type = LogicalType{.kind = TypeKind::kInt, .bits = 8};
        catalog.warnings.push_back(fmt::format(
            "{}.{} is TINYINT(1) but holds {} value(s) other than 0 and 1: carried as int8, "
            "not bool",
            t.name, scan.flags[i]->name, others));
      }
    }
  }

  PL_ASSIGN(auto views, conn_->Query(std::string(sql::kViews)));
  for (const auto& r : views)
    catalog.views.push_back(View{.name = Get(r, 0),
                                 .native_sql = "CREATE VIEW " +
                                               dialect_.QuoteIdentifier(Get(r, 0)) + " AS " +
                                               WithoutDatabase(Get(r, 1), database)});
  PL_ASSIGN(auto triggers, conn_->Query(std::string(sql::kTriggers)));
  for (const auto& r : triggers)
    catalog.triggers.push_back(
        Trigger{.name = Get(r, 0),
                .table = Get(r, 1),
                .native_sql = fmt::format("CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
                                          dialect_.QuoteIdentifier(Get(r, 0)), Get(r, 2), Get(r, 3),
                                          dialect_.QuoteIdentifier(Get(r, 1)),
                                          WithoutDatabase(Get(r, 4), database))});
  PL_ASSIGN(auto others, conn_->Query(std::string(sql::kOtherObjects)));
  for (const auto& r : others)
    catalog.others.push_back({Get(r, 0), Get(r, 1), "not migrated: recreate it by hand"});
  return catalog;
}

// Runs each table's counting SELECT (every column of it a count or a sum) and returns the sums
// per table. A table of 200,000 keys or more with one integer primary key is split in key
// ranges, and the pieces run at once on connections of their own, one per core (up to 4):
// these scans are what a copy waits for before its first row. Inside a snapshot, or on one
// core, everything runs here, in order.
Result<std::vector<std::vector<int64_t>>> MysqlSession::ScanTables(
    const Catalog& catalog, size_t count, const std::function<const std::string&(size_t)>& select) {
  struct Piece {
    size_t table;
    std::string sql;
    std::vector<int64_t> sums;
  };
  constexpr int64_t kMinSplitKeys = 200000;
  const int cores = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  const bool parallel = cores > 1 && !in_snapshot_;
  std::vector<Piece> pieces;
  for (size_t i = 0; i < count; ++i) {
    const Table& t = catalog.tables[i];
    if (parallel && t.primary_key.size() == 1) {
      PL_ASSIGN(auto bounds, FindIntegerKeyBounds(*conn_, dialect_, t.name, t.primary_key[0]));
      if (bounds && static_cast<__int128>(bounds->max) - bounds->min >= kMinSplitKeys) {
        const std::string key = dialect_.QuoteIdentifier(t.primary_key[0]);
        for (auto [from, to] : EvenRanges(bounds->min, bounds->max, cores))
          pieces.push_back(
              {i, fmt::format("{} WHERE {} BETWEEN {} AND {}", select(i), key, from, to), {}});
        continue;
      }
    }
    pieces.push_back({i, select(i), {}});
  }
  auto run = [](MysqlConnection& conn, Piece& piece) -> Status {
    PL_ASSIGN(auto rows, conn.Query(piece.sql));
    if (rows.empty()) return {};
    for (const auto& cell : rows[0])
      piece.sums.push_back(ParseInt64(cell.value_or("0")).value_or(0));
    return {};
  };
  bool done = false;
  if (parallel && pieces.size() > 1) {
    Status st = ForEachOnOwnState(
        pieces.size(), static_cast<size_t>(cores),
        [&] { return MysqlConnection::Open(conn_->endpoint()); },
        [&](std::unique_ptr<MysqlConnection>& own, size_t k) { return run(*own, pieces[k]); });
    done = static_cast<bool>(st);
    // A connection of its own may be refused (max_connections): this one scans alone instead.
    if (!done) PL_LOG_DEBUG("parallel counting scan failed ({})", st.error().message());
  }
  if (!done) {
    for (auto& piece : pieces) {
      piece.sums.clear();
      PL_TRY(run(*conn_, piece));
    }
  }
  std::vector<std::vector<int64_t>> sums(count);
  for (const auto& piece : pieces) {
    auto& total = sums[piece.table];
    if (total.size() < piece.sums.size()) total.resize(piece.sums.size(), 0);
    for (size_t c = 0; c < piece.sums.size(); ++c) total[c] += piece.sums[c];
  }
  return sums;
}

}  // namespace peerlock
