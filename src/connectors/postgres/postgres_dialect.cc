#include "connectors/postgres/postgres_dialect.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace peerlock {
namespace {

// "numeric(12,2)" -> {12, 2}; "character varying(40)" -> {40}.
std::pair<std::optional<int>, std::optional<int>> TypeArgs(const std::string& t) {
  auto open = t.find('(');
  auto close = t.find(')', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  auto args = Split(t.substr(open + 1, close - open - 1), ',');
  std::optional<int> p, s;
  if (!args.empty())
    if (auto v = ParseInt64(Trim(args[0]))) p = static_cast<int>(*v);
  if (args.size() > 1)
    if (auto v = ParseInt64(Trim(args[1]))) s = static_cast<int>(*v);
  return {p, s};
}

}  // namespace

namespace {

std::string Quoted(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Reads a double-quoted identifier starting at `pos`; leaves `pos` after its closing quote.
std::string ReadQuoted(const std::string& text, size_t& pos) {
  std::string out;
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '"') {
      if (pos + 1 < text.size() && text[pos + 1] == '"') {
        out += '"';
        ++pos;
        continue;
      }
      ++pos;
      break;
    }
    out += text[pos];
  }
  return out;
}

}  // namespace

std::string PeerlockName(const std::string& schema, const std::string& name) {
  auto plain = [](const std::string& s) {
    return s.find('.') == std::string::npos && (s.empty() || s[0] != '"');
  };
  if (plain(schema) && plain(name)) return schema == "public" ? name : schema + "." + name;
  return schema == "public" ? Quoted(name) : Quoted(schema) + "." + Quoted(name);
}

std::pair<std::string, std::string> SplitPgTableName(const std::string& table) {
  if (!table.empty() && table[0] == '"') {
    size_t pos = 0;
    std::string first = ReadQuoted(table, pos);
    if (pos >= table.size() || table[pos] != '.') return {"public", first};
    ++pos;
    std::string second =
        pos < table.size() && table[pos] == '"' ? ReadQuoted(table, pos) : table.substr(pos);
    return {first, second};
  }
  auto dot = table.find('.');
  if (dot == std::string::npos) return {"public", table};
  return {table.substr(0, dot), table.substr(dot + 1)};
}

std::string PostgresDialect::QuoteIdentifier(const std::string& identifier) const {
  return Quoted(identifier);
}

std::string PostgresDialect::QuoteTable(const std::string& table) const {
  auto [schema, name] = SplitPgTableName(table);
  if (schema == "public" && table.find('.') == std::string::npos &&
      (table.empty() || table[0] != '"'))
    return QuoteIdentifier(name);
  return QuoteIdentifier(schema) + "." + QuoteIdentifier(name);
}

std::string PostgresDialect::QuoteList(const std::vector<std::string>& identifiers) const {
  std::vector<std::string> quoted;
  for (const auto& i : identifiers) quoted.push_back(QuoteIdentifier(i));
  return Join(quoted, ", ");
}

LogicalType PostgresDialect::ToLogical(const std::string& native) const {
  std::string t = ToLower(Trim(native));
  if (t.size() > 2 && t.ends_with("[]")) return MakeType(TypeKind::kOpaque);
  std::string base = t.substr(0, t.find('('));
  if (auto paren = t.find(')'); paren != std::string::npos && paren + 1 < t.size())
    base += t.substr(paren + 1);  // "timestamp(3) with time zone" -> "timestamp with time zone"
  auto [p, s] = TypeArgs(t);
  if (base == "smallint") return LogicalType{.kind = TypeKind::kInt, .bits = 16};
  if (base == "integer") return LogicalType{.kind = TypeKind::kInt, .bits = 32};
  if (base == "bigint") return LogicalType{.kind = TypeKind::kInt, .bits = 64};
  if (base == "numeric" || base == "decimal")
    return LogicalType{.kind = TypeKind::kDecimal, .precision = p, .scale = s};
  if (base == "real") return MakeType(TypeKind::kFloat32);
  if (base == "double precision") return MakeType(TypeKind::kFloat64);
  if (base == "boolean") return MakeType(TypeKind::kBool);
  if (base == "text" || base == "name" || base == "citext" || base == "\"char\"")
    return MakeType(TypeKind::kText);
  if (base == "character varying" || base == "character" || base == "varchar" || base == "char")
    return LogicalType{.kind = TypeKind::kText, .precision = p};
  if (base == "bytea") return MakeType(TypeKind::kBytes);
  if (base == "date") return MakeType(TypeKind::kDate);
  if (base == "time without time zone" || base == "time") return MakeType(TypeKind::kTime);
  if (base == "timestamp without time zone" || base == "timestamp")
    return MakeType(TypeKind::kTimestamp);
  if (base == "timestamp with time zone" || base == "timestamptz")
    return MakeType(TypeKind::kTimestampTz);
  if (StartsWith(base, "interval")) return MakeType(TypeKind::kInterval);
  if (base == "uuid") return MakeType(TypeKind::kUuid);
  if (base == "json" || base == "jsonb") return MakeType(TypeKind::kJson);
  if (base == "bit" || base == "bit varying") return MakeType(TypeKind::kBits);
  // money (locale-formatted), timetz, network, geometric, range, xml, tsvector, user types.
  return MakeType(TypeKind::kOpaque);
}

TypeMapping PostgresDialect::FromLogical(const LogicalType& t) const {
  switch (t.kind) {
    case TypeKind::kBool: return {"boolean"};
    case TypeKind::kInt:
      if (t.is_unsigned) {
        if (t.bits <= 8) return {"smallint", Fidelity::kWidened, "unsigned widened to signed"};
        if (t.bits <= 16) return {"integer", Fidelity::kWidened, "unsigned widened to signed"};
        if (t.bits <= 32) return {"bigint", Fidelity::kWidened, "unsigned widened to signed"};
        return {"numeric(20,0)", Fidelity::kWidened,
                "unsigned 64-bit integers exceed bigint; kept exactly as numeric(20,0)"};
      }
      if (t.bits <= 16) return {"smallint", t.bits < 16 ? Fidelity::kWidened : Fidelity::kExact};
      if (t.bits <= 32) return {"integer", t.bits < 32 ? Fidelity::kWidened : Fidelity::kExact};
      return {"bigint"};
    case TypeKind::kDecimal:
      if (t.precision && *t.precision <= 1000)
        return {t.scale ? fmt::format("numeric({},{})", *t.precision, *t.scale)
                        : fmt::format("numeric({})", *t.precision)};
      return {"numeric"};
    case TypeKind::kFloat32: return {"real"};
    case TypeKind::kFloat64: return {"double precision"};
    case TypeKind::kText:
      return {t.precision && *t.precision <= 10485760 ? fmt::format("varchar({})", *t.precision)
                                                      : "text"};
    case TypeKind::kBytes: return {"bytea"};
    case TypeKind::kDate: return {"date"};
    case TypeKind::kTime: return {"time"};
    case TypeKind::kTimestamp: return {"timestamp"};
    case TypeKind::kTimestampTz: return {"timestamptz"};
    case TypeKind::kInterval: return {"interval"};
    case TypeKind::kUuid: return {"uuid"};
    case TypeKind::kJson:
      return {"jsonb", Fidelity::kExact, "compared semantically; key order and spacing normalised"};
    case TypeKind::kBits: return {"varbit"};
    case TypeKind::kAny:
      return {"text", Fidelity::kLossy,
              "an untyped (dynamically typed) column becomes text: numbers keep their digits "
              "but lose their numeric type; add a cast rule to choose a type"};
    case TypeKind::kOpaque:
      return {"text", Fidelity::kLossy, "kept as the source engine's text form"};
  }
  return {"", Fidelity::kUnsupported, "unknown type"};
}

std::vector<std::string> PostgresDialect::CreateTableSql(const Table& table) const {
  std::vector<std::string> out;
  auto [schema, name] = SplitPgTableName(table.name);
  if (schema != "public") out.push_back("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(schema));
  // Same-dialect tables the plan does not reshape replay their own definition.
  if (!table.native_sql.empty()) {
    out.push_back(table.native_sql);
    return out;
  }
  std::vector<std::string> parts;
  for (const auto& c : table.columns) {
    std::string type = c.source_type.empty() ? FromLogical(c.type).native_type : c.source_type;
    std::string def = QuoteIdentifier(c.name) + " " + type;
    if (!c.nullable) def += " NOT NULL";
    if (c.generated && c.generated_sql)
      def += " GENERATED ALWAYS AS (" + *c.generated_sql + ") STORED";
    else if (c.default_sql)
      def += " DEFAULT " + *c.default_sql;
    else if (c.auto_increment && (type == "smallint" || type == "integer" || type == "bigint"))
      // Explicit values (the copy's) still go in. Not on numeric(20,0) (BIGINT UNSIGNED):
      // identity takes PostgreSQL's integer types only.
      def += " GENERATED BY DEFAULT AS IDENTITY";
    parts.push_back(def);
  }
  if (!table.primary_key.empty())
    parts.push_back("PRIMARY KEY (" + QuoteList(table.primary_key) + ")");
  for (const auto& check : table.checks) parts.push_back("CHECK (" + check + ")");
  out.push_back("CREATE TABLE IF NOT EXISTS " + QuoteTable(table.name) + " (\n  " +
                Join(parts, ",\n  ") + "\n)");
  return out;
}

std::vector<std::string> PostgresDialect::PostDataSql(const Table& table) const {
  std::vector<std::string> out;
  auto [schema, name] = SplitPgTableName(table.name);
  for (const auto& index : table.indexes) {
    if (index.from_constraint && !table.native_sql.empty()) continue;
    if (!index.native_sql.empty()) {
      out.push_back(index.native_sql);
      continue;
    }
    if (index.columns.empty()) continue;
    std::string sql =
        fmt::format("CREATE {}INDEX IF NOT EXISTS {} ON {} ({})", index.unique ? "UNIQUE " : "",
                    QuoteIdentifier(index.name), QuoteTable(table.name), QuoteList(index.columns));
    if (!index.where.empty()) sql += " WHERE " + index.where;
    out.push_back(sql);
  }
  // Foreign keys are added NOT VALID (no scan, never fails on data) and validated by
  // CheckForeignKeys, which names the violations instead of aborting.
  for (size_t i = 0; i < table.foreign_keys.size(); ++i) {
    const auto& fk = table.foreign_keys[i];
    std::string cname = fk.name.empty() ? fmt::format("{}_fk{}", name, i + 1) : fk.name;
    std::string def = "ALTER TABLE " + QuoteTable(table.name) + " ADD CONSTRAINT " +
                      QuoteIdentifier(cname) + " FOREIGN KEY (" + QuoteList(fk.columns) +
                      ") REFERENCES " + QuoteTable(fk.ref_table);
    if (!fk.ref_columns.empty()) def += " (" + QuoteList(fk.ref_columns) + ")";
    if (fk.on_delete != "NO ACTION") def += " ON DELETE " + fk.on_delete;
    if (fk.on_update != "NO ACTION") def += " ON UPDATE " + fk.on_update;
    if (fk.deferrable) def += " DEFERRABLE INITIALLY DEFERRED";
    def += " NOT VALID";
    // Idempotent: a rerun after a crash finds the constraint already there.
    std::string escaped;
    for (char c : def) escaped += c == '\'' ? std::string("''") : std::string(1, c);
    out.push_back("DO $peerlock$ BEGIN EXECUTE '" + escaped +
                  "'; EXCEPTION WHEN duplicate_object OR duplicate_table THEN NULL; END "
                  "$peerlock$");
  }
  out.push_back("ANALYZE " + QuoteTable(table.name));
  return out;
}

// VACUUM as well as ANALYZE: a table the sync has been changing has pages no longer marked
// all-visible, and counting it (the cutover's final verify, under the freeze) then reads the
// heap behind every index entry.
std::string PostgresDialect::RefreshStatisticsSql(const std::string& table) const {
  return "VACUUM (ANALYZE) " + QuoteTable(table);
}

std::string PostgresDialect::DropTableSql(const std::string& table) const {
  return "DROP TABLE IF EXISTS " + QuoteTable(table) + " CASCADE";
}

std::string PostgresDialect::AddColumnSql(const std::string& table, const Column& column) const {
  std::string type =
      column.source_type.empty() ? FromLogical(column.type).native_type : column.source_type;
  return "ALTER TABLE " + QuoteTable(table) + " ADD COLUMN " + QuoteIdentifier(column.name) +
         (type.empty() ? "" : " " + type);
}

}  // namespace peerlock
