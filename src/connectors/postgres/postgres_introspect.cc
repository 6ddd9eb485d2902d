// PostgresSession::Introspect: the catalog queries of sql/*.sql turned into a Catalog, with a
// native CREATE TABLE per table for same-dialect copies that cannot clone with pg_dump.
#include <fmt/format.h>

#include <map>

#include "base/strings.h"
#include "connectors/postgres/postgres_session.h"
#include "connectors/postgres/postgres_sql.h"

namespace peerlock {
namespace {

std::string Value(const PGresult* r, int row, int col) {
  return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}
bool Bool(const PGresult* r, int row, int col) { return Value(r, row, col) == "t"; }

// "{a,b,\"c d\"}" -> {"a", "b", "c d"} (a name[] in text output).
std::vector<std::string> NameArray(const std::string& text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\' && i + 2 < text.size()) {
        cur += text[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any || !cur.empty()) out.push_back(cur);
  return out;
}

std::string Action(const std::string& code) {
  if (code == "r") return "RESTRICT";
  if (code == "c") return "CASCADE";
  if (code == "n") return "SET NULL";
  if (code == "d") return "SET DEFAULT";
  return "NO ACTION";
}

// "CREATE [UNIQUE] INDEX name ON ..." -> "... INDEX IF NOT EXISTS name ON ...".
std::string IdempotentIndex(const std::string& sql) {
  auto pos = sql.find(" INDEX ");
  if (pos == std::string::npos) return sql;
  return sql.substr(0, pos + 7) + "IF NOT EXISTS " + sql.substr(pos + 7);
}

}  // namespace

Result<Catalog> PostgresSession::Introspect(bool count_rows) {
  Catalog catalog;
  catalog.dialect = "postgres";
  PL_ASSIGN(auto version, conn_->QueryValue("SHOW server_version"));
  catalog.server_version = "PostgreSQL " + version.value_or("?");

  PL_ASSIGN(auto tables, conn_->Query(std::string(sql::kTables)));
  std::map<std::string, size_t> by_oid;
  std::vector<std::string> oids;
  for (int i = 0; i < PQntuples(tables.get()); ++i) {
    Table t;
    t.schema = Value(tables.get(), i, 1);
    t.name = PeerlockName(t.schema, Value(tables.get(), i, 2));
    t.has_row_id = true;  // ctid: a stable position within one snapshot
    t.rows = std::atoll(PQgetvalue(tables.get(), i, 6));
    t.bytes = std::atoll(PQgetvalue(tables.get(), i, 7));
    std::string persistence = Value(tables.get(), i, 4);
    if (Bool(tables.get(), i, 5))
      catalog.warnings.push_back(
          "table " + t.name +
          " has row-level security: unless PeerLock's user owns it or has BYPASSRLS, it reads "
          "only the rows the policies allow");
    if (persistence == "u")
      catalog.warnings.push_back("table " + t.name +
                                 " is UNLOGGED: its rows are lost on a server crash; the copy "
                                 "keeps it unlogged");
    by_oid[PQgetvalue(tables.get(), i, 0)] = catalog.tables.size();
    oids.push_back(PQgetvalue(tables.get(), i, 0));
    catalog.tables.push_back(std::move(t));
  }
  std::string oid_array = "{" + Join(oids, ",") + "}";

  PL_ASSIGN(auto columns, conn_->Query(std::string(sql::kTableColumns), {oid_array}));
  std::map<std::string, std::vector<std::string>> column_sql;  // native column definitions
  for (int i = 0; i < PQntuples(columns.get()); ++i) {
    Table& t = catalog.tables[by_oid.at(PQgetvalue(columns.get(), i, 0))];
    Column c;
    c.name = Value(columns.get(), i, 1);
    c.source_type = Value(columns.get(), i, 2);
    c.nullable = !Bool(columns.get(), i, 3);
    std::string def = Value(columns.get(), i, 4), identity = Value(columns.get(), i, 5);
    std::string generated = Value(columns.get(), i, 6), typtype = Value(columns.get(), i, 8);
    c.collation = Value(columns.get(), i, 7);
    if (typtype == "d")
      c.type = dialect_.ToLogical(Value(columns.get(), i, 9));
    else if (typtype == "e")
      c.type = MakeType(TypeKind::kText);  // labels compare as text
    else if (typtype == "b")
      c.type = dialect_.ToLogical(c.source_type);
    else
      c.type = MakeType(TypeKind::kOpaque);
    if (Value(columns.get(), i, 10) == "A") c.type = MakeType(TypeKind::kOpaque);  // arrays
    if (generated == "s") {
      c.generated = true;
      c.generated_sql = def;
    } else if (!def.empty()) {
      c.default_sql = def;
    }
    c.auto_increment = identity == "a" || identity == "d" || def.starts_with("nextval(");
    std::string sql = dialect_.QuoteIdentifier(c.name) + " " + c.source_type;
    if (!c.collation.empty()) sql += " COLLATE " + dialect_.QuoteIdentifier(c.collation);
    if (!c.nullable) sql += " NOT NULL";
    if (c.generated) {
      sql += " GENERATED ALWAYS AS (" + def + ") STORED";
    } else if (identity == "a" || identity == "d") {
      sql +=
          identity == "a" ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY";
    } else if (!def.empty() && def.find("nextval(") == std::string::npos) {
      sql += " DEFAULT " + def;  // serial defaults need their sequence: the schema clone has it
    }
    column_sql[t.name].push_back(sql);
    t.columns.push_back(std::move(c));
  }

  PL_ASSIGN(auto cons, conn_->Query(std::string(sql::kConstraints), {oid_array}));
  std::map<std::string, std::vector<std::string>> constraint_sql;
  for (int i = 0; i < PQntuples(cons.get()); ++i) {
    Table& t = catalog.tables[by_oid.at(PQgetvalue(cons.get(), i, 0))];
    std::string name = Value(cons.get(), i, 1), type = Value(cons.get(), i, 2);
    std::string definition = Value(cons.get(), i, 10);
    auto cols = NameArray(Value(cons.get(), i, 3));
    if (type == "p") t.primary_key = cols;
    if (type == "c" && StartsWith(definition, "CHECK ("))
      t.checks.push_back(definition.substr(7, definition.rfind(')') - 7));
    if (type == "f") {
      t.foreign_keys.push_back(
          ForeignKey{.name = name,
                     .columns = cols,
                     .ref_table = PeerlockName(Value(cons.get(), i, 4), Value(cons.get(), i, 5)),
                     .ref_columns = NameArray(Value(cons.get(), i, 6)),
                     .on_delete = Action(Value(cons.get(), i, 7)),
                     .on_update = Action(Value(cons.get(), i, 8)),
                     .deferrable = Bool(cons.get(), i, 9)});
      continue;
    }
    if (type == "x")
      catalog.others.push_back({"exclusion constraint", t.name + "." + name, definition});
    constraint_sql[t.name].push_back("CONSTRAINT " + dialect_.QuoteIdentifier(name) + " " +
                                     definition);
  }

  PL_ASSIGN(auto indexes, conn_->Query(std::string(sql::kIndexes), {oid_array}));
  for (int i = 0; i < PQntuples(indexes.get()); ++i) {
    Table& t = catalog.tables[by_oid.at(PQgetvalue(indexes.get(), i, 0))];
    if (Bool(indexes.get(), i, 3)) continue;  // the primary key
    Index index{.name = Value(indexes.get(), i, 1),
                .columns = NameArray(Value(indexes.get(), i, 5)),
                .unique = Bool(indexes.get(), i, 2),
                .from_constraint = Bool(indexes.get(), i, 4),
                .where = Value(indexes.get(), i, 6),
                .native_sql = IdempotentIndex(Value(indexes.get(), i, 8))};
    t.indexes.push_back(std::move(index));
  }

  for (int i = 0; i < PQntuples(tables.get()); ++i) {
    Table& t = catalog.tables[i];
    std::vector<std::string> parts = column_sql[t.name];
    for (const auto& c : constraint_sql[t.name]) parts.push_back(c);
    t.native_sql = "CREATE TABLE IF NOT EXISTS " + dialect_.QuoteTable(t.name) + " (\n  " +
                   Join(parts, ",\n  ") + "\n)";
    if (Value(tables.get(), i, 3) == "p")
      t.native_sql += " PARTITION BY " + Value(tables.get(), i, 8);
    if (Value(tables.get(), i, 4) == "u")
      t.native_sql = "CREATE UNLOGGED TABLE" + t.native_sql.substr(12);
    if (count_rows) {
      PL_ASSIGN(auto n, conn_->QueryValue("SELECT count(*) FROM " + dialect_.QuoteTable(t.name)));
      t.rows = std::atoll(n.value_or("0").c_str());
    }
  }

  PL_ASSIGN(auto views, conn_->Query(std::string(sql::kViews)));
  for (int i = 0; i < PQntuples(views.get()); ++i) {
    std::string name = PeerlockName(Value(views.get(), i, 0), Value(views.get(), i, 1));
    bool materialized = Value(views.get(), i, 2) == "m";
    std::string body = Value(views.get(), i, 3);
    while (!body.empty() && (body.back() == ';' || body.back() == '\n')) body.pop_back();
    catalog.views.push_back(View{
        .name = name,
        .native_sql =
            (materialized ? "CREATE MATERIALIZED VIEW IF NOT EXISTS " : "CREATE OR REPLACE VIEW ") +
            dialect_.QuoteTable(name) + " AS " + body});
  }

  PL_ASSIGN(auto triggers, conn_->Query(std::string(sql::kTriggers)));
  for (int i = 0; i < PQntuples(triggers.get()); ++i) {
    std::string def = Value(triggers.get(), i, 3);
    if (StartsWith(def, "CREATE TRIGGER")) def = "CREATE OR REPLACE TRIGGER" + def.substr(14);
    catalog.triggers.push_back(
        Trigger{.name = Value(triggers.get(), i, 2),
                .table = PeerlockName(Value(triggers.get(), i, 0), Value(triggers.get(), i, 1)),
                .native_sql = def});
  }

  PL_ASSIGN(catalog.sequences, Sequences());
  PL_ASSIGN(auto others, conn_->Query(std::string(sql::kOtherObjects)));
  for (int i = 0; i < PQntuples(others.get()); ++i)
    catalog.others.push_back(SchemaObject{.kind = Value(others.get(), i, 0),
                                          .name = Value(others.get(), i, 1),
                                          .detail = Value(others.get(), i, 2)});
  return catalog;
}

}  // namespace peerlock
