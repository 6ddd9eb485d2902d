#include "connectors/mysql/mysql_dialect.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "base/strings.h"

namespace peerlock {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// "(12,2)" of "decimal(12,2) unsigned" -> {12, 2}; absent parts stay nullopt.
void ParseArgs(const std::string& declared, std::optional<int>& first, std::optional<int>& second) {
  auto open = declared.find('('), close = declared.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return;
  auto args = Split(declared.substr(open + 1, close - open - 1), ',');
  if (auto p = ParseInt64(Trim(args[0]))) first = static_cast<int>(*p);
  if (args.size() > 1)
    if (auto s = ParseInt64(Trim(args[1]))) second = static_cast<int>(*s);
}

LogicalType IntType(int bits, bool is_unsigned) {
  return LogicalType{.kind = TypeKind::kInt, .bits = bits, .is_unsigned = is_unsigned};
}

// The type's first word: "longtext" of "longtext COLLATE utf8mb4_bin".
std::string BaseType(const std::string& native) {
  std::string t = ToLower(Trim(native));
  return t.substr(0, t.find_first_of("( "));
}

bool IsUnboundedText(const std::string& native) {
  std::string t = BaseType(native);
  return t == "longtext" || t == "mediumtext" || t == "text" || t == "json";
}

bool IsUnboundedBytes(const std::string& native) {
  std::string t = BaseType(native);
  return t == "longblob" || t == "mediumblob" || t == "blob";
}

// "KEY `i` (`a`)" -> "KEY IF NOT EXISTS `i` (`a`)" (also UNIQUE/FULLTEXT/SPATIAL KEY).
std::string IndexClauseIfNotExists(const std::string& clause) {
  if (Contains(ToLower(clause), "if not exists")) return clause;
  auto pos = clause.find("KEY ");
  if (pos == std::string::npos) return clause;
  return clause.substr(0, pos + 4) + "IF NOT EXISTS " + clause.substr(pos + 4);
}

}  // namespace

std::string MysqlDialect::QuoteIdentifier(const std::string& identifier) const {
  std::string out = "`";
  for (char c : identifier) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string MysqlDialect::QuoteList(const std::vector<std::string>& identifiers) const {
  std::vector<std::string> quoted;
  for (const auto& id : identifiers) quoted.push_back(QuoteIdentifier(id));
  return Join(quoted, ", ");
}

LogicalType MysqlDialect::ToLogical(const std::string& native_type) const {
  std::string d = ToLower(Trim(native_type));
  std::string base = Trim(d.substr(0, d.find_first_of("( ")));
  bool is_unsigned = Contains(d, "unsigned");
  std::optional<int> a, b;
  ParseArgs(d, a, b);
  if (base == "tinyint")
    return a == 1 && !is_unsigned ? MakeType(TypeKind::kBool) : IntType(8, is_unsigned);
  if (base == "bool" || base == "boolean") return MakeType(TypeKind::kBool);
  if (base == "smallint") return IntType(16, is_unsigned);
  if (base == "mediumint") return IntType(24, is_unsigned);
  if (base == "int" || base == "integer") return IntType(32, is_unsigned);
  if (base == "bigint") return IntType(64, is_unsigned);
  if (base == "year") return IntType(16, false);
  if (base == "decimal" || base == "numeric" || base == "dec" || base == "fixed") {
    // MariaDB's defaults: DECIMAL = DECIMAL(10,0), DECIMAL(p) = DECIMAL(p,0).
    return LogicalType{
        .kind = TypeKind::kDecimal, .precision = a.value_or(10), .scale = b.value_or(0)};
  }
  if (base == "float") return MakeType(a && *a > 24 ? TypeKind::kFloat64 : TypeKind::kFloat32);
  if (base == "double" || base == "real") return MakeType(TypeKind::kFloat64);
  if (base == "char" || base == "varchar" || base == "nchar" || base == "nvarchar")
    return LogicalType{.kind = TypeKind::kText, .precision = a};
  if (base == "tinytext") return LogicalType{.kind = TypeKind::kText, .precision = 255};
  if (base == "text" || base == "mediumtext" || base == "longtext" || base == "enum" ||
      base == "set")
    return MakeType(TypeKind::kText);
  if (base == "binary" || base == "varbinary")
    return LogicalType{.kind = TypeKind::kBytes, .precision = a};
  if (base == "tinyblob") return LogicalType{.kind = TypeKind::kBytes, .precision = 255};
  if (base == "blob" || base == "mediumblob" || base == "longblob")
    return MakeType(TypeKind::kBytes);
  if (base == "bit") return LogicalType{.kind = TypeKind::kBits, .precision = a.value_or(1)};
  if (base == "date") return MakeType(TypeKind::kDate);
  if (base == "time") return MakeType(TypeKind::kInterval);
  if (base == "datetime") return MakeType(TypeKind::kTimestamp);
  if (base == "timestamp") return MakeType(TypeKind::kTimestampTz);
  if (base == "json") return MakeType(TypeKind::kJson);
  if (base == "uuid") return MakeType(TypeKind::kUuid);
  if (base == "inet4" || base == "inet6") return MakeType(TypeKind::kText);
  return MakeType(TypeKind::kOpaque);  // geometry, point, polygon, ... and anything unknown
}

TypeMapping MysqlDialect::FromLogical(const LogicalType& t) const {
  switch (t.kind) {
    case TypeKind::kBool: return {"TINYINT(1)"};
    case TypeKind::kInt: {
      std::string u = t.is_unsigned ? " UNSIGNED" : "";
      if (t.bits <= 8) return {"TINYINT" + u};
      if (t.bits <= 16) return {"SMALLINT" + u};
      if (t.bits <= 24) return {"MEDIUMINT" + u};
      if (t.bits <= 32) return {"INT" + u};
      return {"BIGINT" + u};
    }
    case TypeKind::kDecimal: {
      if (!t.precision)
        return {"DECIMAL(65,30)", Fidelity::kLossy,
                "unconstrained numeric: MariaDB keeps at most 35 integer and 30 fraction digits"};
      int p = *t.precision, s = t.scale.value_or(0);
      if (p > 65 || s > 30 || s < 0)
        return {"DECIMAL(65,30)", Fidelity::kLossy,
                fmt::format("numeric({},{}) exceeds MariaDB's DECIMAL(65,30)", p, s)};
      return {fmt::format("DECIMAL({},{})", p, s), Fidelity::kExact,
              "NaN and infinities cannot be stored"};
    }
    case TypeKind::kFloat32:
      return {"FLOAT", Fidelity::kExact, "NaN and infinities cannot be stored"};
    case TypeKind::kFloat64:
      return {"DOUBLE", Fidelity::kExact, "NaN and infinities cannot be stored"};
    case TypeKind::kText:
      if (t.precision && *t.precision <= 16383) return {fmt::format("VARCHAR({})", *t.precision)};
      return {"LONGTEXT"};
    case TypeKind::kBytes:
      if (t.precision && *t.precision <= 65532) return {fmt::format("VARBINARY({})", *t.precision)};
      return {"LONGBLOB"};
    case TypeKind::kDate:
      return {"DATE", Fidelity::kExact, "years before 0000, after 9999 and infinity do not fit"};
    case TypeKind::kTime: return {"TIME(6)"};
    case TypeKind::kTimestamp:
      return {"DATETIME(6)", Fidelity::kExact,
              "years before 0000, after 9999 and infinity do not fit"};
    case TypeKind::kTimestampTz:
      return {"DATETIME(6)", Fidelity::kWidened,
              "kept in UTC in a DATETIME (TIMESTAMP ends in 2038); the zone is not stored"};
    case TypeKind::kInterval:
      return {"TIME(6)", Fidelity::kLossy,
              "MariaDB TIME holds -838:59:59..838:59:59: months, days beyond it do not fit"};
    case TypeKind::kUuid: return {"CHAR(36)", Fidelity::kWidened, "kept as text"};
    case TypeKind::kJson: return {"JSON"};
    case TypeKind::kBits:
      if (t.precision && *t.precision >= 1 && *t.precision <= 64)
        return {fmt::format("BIT({})", *t.precision)};
      return {"LONGTEXT", Fidelity::kWidened, "bit strings wider than 64 kept as 0/1 text"};
    case TypeKind::kAny:
      return {"LONGTEXT", Fidelity::kWidened, "dynamically typed values kept as their text"};
    case TypeKind::kOpaque:
      return {"LONGTEXT", Fidelity::kLossy, "kept as the source engine's text form"};
  }
  return {"", Fidelity::kUnsupported, "unknown type"};
}

std::string MysqlDialect::WithoutPostDataClauses(const std::string& create_sql) {
  auto lines = Split(create_sql, '\n');
  // AUTO_INCREMENT columns must lead some key at all times; find them first.
  std::set<std::string> auto_columns;
  for (const auto& line : lines) {
    std::string trimmed = Trim(line);
    if (StartsWith(trimmed, "`") && Contains(trimmed, " AUTO_INCREMENT")) {
      auto end = trimmed.find('`', 1);
      if (end != std::string::npos) auto_columns.insert(trimmed.substr(0, end + 1));
    }
  }
  auto post_data = [&](const std::string& trimmed) {
    if (StartsWith(trimmed, "CONSTRAINT ") && Contains(trimmed, " FOREIGN KEY ")) return true;
    bool index = StartsWith(trimmed, "KEY ") || StartsWith(trimmed, "UNIQUE KEY ") ||
                 StartsWith(trimmed, "FULLTEXT KEY ") || StartsWith(trimmed, "SPATIAL KEY ");
    if (!index) return false;
    auto open = trimmed.find('(');
    if (open != std::string::npos)
      for (const auto& col : auto_columns)
        if (trimmed.compare(open + 1, col.size(), col) == 0) return false;
    return true;
  };
  std::vector<std::string> kept;
  for (const auto& line : lines) {
    std::string trimmed = Trim(line);
    if (post_data(trimmed)) continue;
    if (StartsWith(trimmed, ")") && !kept.empty()) {
      std::string& last = kept.back();
      if (!last.empty() && last.back() == ',') last.pop_back();
    }
    kept.push_back(line);
  }
  return Join(kept, "\n");
}

std::vector<std::string> MysqlDialect::CreateTableSql(const Table& table) const {
  // Same-dialect copies without transforms replay the definition verbatim (engine, charsets,
  // collations, partitioning, AUTO_INCREMENT, checks), minus what is built after the data.
  if (!table.native_sql.empty()) return {WithoutPostDataClauses(table.native_sql)};
  std::set<std::string> keyed(table.primary_key.begin(), table.primary_key.end());
  for (const auto& index : table.indexes)
    if (index.unique) keyed.insert(index.columns.begin(), index.columns.end());
  std::vector<std::string> parts;
  for (const auto& c : table.columns) {
    std::string type = c.source_type.empty() ? FromLogical(c.type).native_type : c.source_type;
    if (keyed.count(c.name)) {
      if (IsUnboundedText(type))
        type = fmt::format("VARCHAR({}){}", kKeyTextLength, type.substr(BaseType(type).size()));
      if (IsUnboundedBytes(type)) type = fmt::format("VARBINARY({})", kKeyTextLength);
    }
    std::string def = QuoteIdentifier(c.name) + " " + type;
    // A collation is native to the source dialect: kept only with its native type.
    if (!c.collation.empty() && !c.source_type.empty()) def += " COLLATE " + c.collation;
    if (c.generated && c.generated_sql) {
      def += " GENERATED ALWAYS AS (" + *c.generated_sql + ") STORED";
    } else {
      def += c.nullable ? " NULL" : " NOT NULL";
      if (c.default_sql) {
        def += " DEFAULT " + *c.default_sql;
      } else if (c.auto_increment && c.type.kind == TypeKind::kInt && !table.primary_key.empty() &&
                 table.primary_key.front() == c.name) {
        // MariaDB allows one AUTO_INCREMENT column, which must lead a key: the primary key's
        // first column is the one that always does.
        def += " AUTO_INCREMENT";
      }
    }
    parts.push_back(def);
  }
  if (!table.primary_key.empty())
    parts.push_back("PRIMARY KEY (" + QuoteList(table.primary_key) + ")");
  for (const auto& check : table.checks) parts.push_back("CHECK (" + check + ")");
  return {"CREATE TABLE " + QuoteIdentifier(table.name) + " (\n  " + Join(parts, ",\n  ") +
          "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"};
}

std::vector<std::string> MysqlDialect::PostDataSql(const Table& table) const {
  std::vector<std::string> out;
  std::string alter = "ALTER TABLE " + QuoteIdentifier(table.name) + " ADD ";
  std::map<std::string, std::string> types;
  for (const auto& c : table.columns)
    types[c.name] = c.source_type.empty() ? FromLogical(c.type).native_type : c.source_type;
  for (const auto& index : table.indexes) {
    if (!index.native_sql.empty()) {
      out.push_back(alter + IndexClauseIfNotExists(index.native_sql));
      continue;
    }
    if (index.columns.empty()) continue;  // expression index on renamed columns: reported
    std::vector<std::string> cols;
    for (const auto& c : index.columns) {
      std::string col = QuoteIdentifier(c);
      // A non-unique index on a whole TEXT/BLOB column needs a prefix length.
      if (!index.unique && (IsUnboundedText(types[c]) || IsUnboundedBytes(types[c])))
        col += fmt::format("({})", kKeyTextLength);
      cols.push_back(col);
    }
    out.push_back(alter + (index.unique ? "UNIQUE " : "") + "KEY IF NOT EXISTS " +
                  QuoteIdentifier(index.name.substr(0, kMaxIdentifier)) + " (" + Join(cols, ", ") +
                  ")");
  }
  for (const auto& fk : table.foreign_keys) {
    std::string sql = alter + "CONSTRAINT " + QuoteIdentifier(fk.name.substr(0, kMaxIdentifier)) +
                      " FOREIGN KEY IF NOT EXISTS (" + QuoteList(fk.columns) + ") REFERENCES " +
                      QuoteIdentifier(fk.ref_table) + " (" +
                      QuoteList(fk.ref_columns.empty() ? fk.columns : fk.ref_columns) + ")";
    // RESTRICT is InnoDB's default and, checked immediately, the same as NO ACTION.
    auto rule = [](const std::string& r) { return r != "NO ACTION" && r != "RESTRICT"; };
    if (rule(fk.on_delete)) sql += " ON DELETE " + fk.on_delete;
    if (rule(fk.on_update)) sql += " ON UPDATE " + fk.on_update;
    out.push_back(sql);
  }
  return out;
}

std::string MysqlDialect::DropTableSql(const std::string& table) const {
  return "DROP TABLE IF EXISTS " + QuoteIdentifier(table);
}

std::string MysqlDialect::AddColumnSql(const std::string& table, const Column& column) const {
  std::string type =
      column.source_type.empty() ? FromLogical(column.type).native_type : column.source_type;
  return "ALTER TABLE " + QuoteIdentifier(table) + " ADD COLUMN " + QuoteIdentifier(column.name) +
         (type.empty() ? "" : " " + type);
}

}  // namespace peerlock
