#include "connectors/sqlite/sqlite_dialect.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace peerlock {
namespace {

bool Contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

// "(12,2)" -> precision/scale, when present.
void ParseTypeArgs(const std::string& declared, LogicalType& t) {
  auto open = declared.find('('), close = declared.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return;
  auto args = Split(declared.substr(open + 1, close - open - 1), ',');
  if (auto p = ParseInt64(Trim(args[0]))) t.precision = static_cast<int>(*p);
  if (args.size() > 1)
    if (auto s = ParseInt64(Trim(args[1]))) t.scale = static_cast<int>(*s);
}

// Makes "CREATE INDEX x" / "CREATE UNIQUE INDEX x" idempotent.
std::string WithIfNotExists(const std::string& create_sql) {
  std::string lower = ToLower(create_sql);
  if (Contains(lower, "if not exists")) return create_sql;
  auto pos = lower.find("index");
  if (pos == std::string::npos) return create_sql;
  return create_sql.substr(0, pos + 5) + " IF NOT EXISTS" + create_sql.substr(pos + 5);
}

}  // namespace

std::string SqliteDialect::QuoteIdentifier(const std::string& identifier) const {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string SqliteDialect::QuoteList(const std::vector<std::string>& identifiers) const {
  std::vector<std::string> quoted;
  for (const auto& id : identifiers) quoted.push_back(QuoteIdentifier(id));
  return Join(quoted, ", ");
}

LogicalType SqliteDialect::ToLogical(const std::string& native_type) const {
  std::string d = ToLower(Trim(native_type));
  std::string base = Trim(d.substr(0, d.find('(')));
  LogicalType t;
  // Names that say more than their affinity does.
  if (base == "bool" || base == "boolean") return MakeType(TypeKind::kBool);
  if (base == "date") return MakeType(TypeKind::kDate);
  if (base == "time") return MakeType(TypeKind::kTime);
  if (base == "datetime" || base == "timestamp") return MakeType(TypeKind::kTimestamp);
  if (base == "timestamptz" || Contains(d, "with time zone"))
    return MakeType(TypeKind::kTimestampTz);
  if (base == "json" || base == "jsonb") return MakeType(TypeKind::kJson);
  if (base == "uuid") return MakeType(TypeKind::kUuid);
  // SQLite's affinity rules, in SQLite's order (https://sqlite.org/datatype3.html 3.1).
  if (Contains(d, "int")) return MakeType(TypeKind::kInt);
  if (Contains(d, "char") || Contains(d, "clob") || Contains(d, "text")) {
    t.kind = TypeKind::kText;
    ParseTypeArgs(d, t);
    t.scale.reset();
    return t;
  }
  if (d.empty()) return MakeType(TypeKind::kAny);
  if (Contains(d, "blob")) return MakeType(TypeKind::kBytes);
  if (Contains(d, "real") || Contains(d, "floa") || Contains(d, "doub"))
    return MakeType(TypeKind::kFloat64);
  t.kind = TypeKind::kDecimal;
  ParseTypeArgs(d, t);
  return t;
}

TypeMapping SqliteDialect::FromLogical(const LogicalType& t) const {
  switch (t.kind) {
    case TypeKind::kBool: return {"BOOLEAN"};
    case TypeKind::kInt:
      if (t.is_unsigned && t.bits == 64)
        return {"INTEGER", Fidelity::kLossy,
                "SQLite integers are signed 64-bit: values above 9223372036854775807 do not fit"};
      return {"INTEGER"};
    case TypeKind::kDecimal: {
      std::string native = t.precision && t.scale
                               ? fmt::format("DECIMAL({},{})", *t.precision, *t.scale)
                               : "NUMERIC";
      // NUMERIC affinity would turn the value into a 64-bit float, rounding past 15 digits.
      if (!t.precision || *t.precision > 15)
        return {"TEXT", Fidelity::kWidened,
                "SQLite has no exact decimal past 15 digits: kept as exact decimal text"};
      return {native};
    }
    case TypeKind::kFloat32: return {"REAL", Fidelity::kWidened, "float32 stored as float64"};
    case TypeKind::kFloat64: return {"REAL"};
    case TypeKind::kText: return {t.precision ? fmt::format("VARCHAR({})", *t.precision) : "TEXT"};
    case TypeKind::kBytes: return {"BLOB"};
    case TypeKind::kDate: return {"DATE"};
    case TypeKind::kTime: return {"TIME"};
    case TypeKind::kTimestamp: return {"TIMESTAMP"};
    // Types SQLite lacks are kept as exact text; TEXT affinity stops numeric coercion.
    case TypeKind::kTimestampTz: return {"TEXT", Fidelity::kWidened, "kept as ISO text in UTC"};
    case TypeKind::kInterval: return {"TEXT", Fidelity::kWidened, "kept as interval text"};
    case TypeKind::kUuid: return {"TEXT", Fidelity::kWidened, "kept as text"};
    case TypeKind::kJson: return {"TEXT", Fidelity::kWidened, "kept as JSON text"};
    case TypeKind::kBits: return {"TEXT", Fidelity::kWidened, "kept as a 0/1 string"};
    case TypeKind::kAny: return {""};
    case TypeKind::kOpaque: return {"TEXT", Fidelity::kLossy, "kept as the source's text form"};
  }
  return {"", Fidelity::kUnsupported, "unknown type"};
}

std::vector<std::string> SqliteDialect::CreateTableSql(const Table& table) const {
  // Same-dialect copies without transforms replay the definition verbatim: exact fidelity
  // for everything SQLite lets a CREATE TABLE say (collations, AUTOINCREMENT, conflicts).
  if (!table.native_sql.empty()) return {table.native_sql};
  std::vector<std::string> parts;
  for (const auto& c : table.columns) {
    std::string type = c.source_type.empty() ? FromLogical(c.type).native_type : c.source_type;
    std::string def = QuoteIdentifier(c.name);
    if (!type.empty()) def += " " + type;
    if (!c.nullable) def += " NOT NULL";
    if (!c.collation.empty() && ToLower(c.collation) != "binary") def += " COLLATE " + c.collation;
    if (c.generated && c.generated_sql) {
      def += " GENERATED ALWAYS AS (" + *c.generated_sql + ")";
    } else if (c.default_sql) {
      def += " DEFAULT " + *c.default_sql;
    }
    parts.push_back(def);
  }
  if (!table.primary_key.empty())
    parts.push_back("PRIMARY KEY (" + QuoteList(table.primary_key) + ")");
  // SQLite cannot add foreign keys to an existing table; they are declared here and, with
  // foreign_keys off during the load, checked once after it (PRAGMA foreign_key_check).
  for (const auto& fk : table.foreign_keys) {
    std::string def =
        "FOREIGN KEY (" + QuoteList(fk.columns) + ") REFERENCES " + QuoteIdentifier(fk.ref_table);
    if (!fk.ref_columns.empty()) def += " (" + QuoteList(fk.ref_columns) + ")";
    if (fk.on_delete != "NO ACTION") def += " ON DELETE " + fk.on_delete;
    if (fk.on_update != "NO ACTION") def += " ON UPDATE " + fk.on_update;
    if (fk.deferrable) def += " DEFERRABLE INITIALLY DEFERRED";
    parts.push_back(def);
  }
  for (const auto& check : table.checks) parts.push_back("CHECK (" + check + ")");
  std::string sql =
      "CREATE TABLE " + QuoteIdentifier(table.name) + " (\n  " + Join(parts, ",\n  ") + "\n)";
  if (!table.has_row_id && !table.primary_key.empty()) sql += " WITHOUT ROWID";
  return {sql};
}

std::vector<std::string> SqliteDialect::PostDataSql(const Table& table) const {
  std::vector<std::string> out;
  for (const auto& index : table.indexes) {
    // Constraint indexes of a verbatim definition already exist with the table.
    if (index.from_constraint && !table.native_sql.empty()) continue;
    if (!index.native_sql.empty()) {
      out.push_back(WithIfNotExists(index.native_sql));
      continue;
    }
    if (index.columns.empty()) continue;  // expression index on renamed columns: reported
    std::string sql = fmt::format("CREATE {}INDEX IF NOT EXISTS {} ON {} ({})",
                                  index.unique ? "UNIQUE " : "", QuoteIdentifier(index.name),
                                  QuoteIdentifier(table.name), QuoteList(index.columns));
    if (!index.where.empty()) sql += " WHERE " + index.where;
    out.push_back(sql);
  }
  return out;
}

std::string SqliteDialect::DropTableSql(const std::string& table) const {
  return "DROP TABLE IF EXISTS " + QuoteIdentifier(table);
}

std::string SqliteDialect::AddColumnSql(const std::string& table, const Column& column) const {
  std::string type =
      column.source_type.empty() ? FromLogical(column.type).native_type : column.source_type;
  return "ALTER TABLE " + QuoteIdentifier(table) + " ADD COLUMN " + QuoteIdentifier(column.name) +
         (type.empty() ? "" : " " + type);
}

}  // namespace peerlock
