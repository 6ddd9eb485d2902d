// MariaDB/MySQL change capture: positions, the captured tables' layouts and the preflight.
#include "connectors/mysql/mysql_capture.h"

#include <fmt/format.h>
#include <mysqld_error.h>

#include "base/log.h"
#include "base/strings.h"
#include "connectors/mysql/mysql_sql.h"

namespace peerlock {
namespace {

// The sequence number of "mariadb-bin.000042" (42), or -1.
int64_t FileNumber(const std::string& file) {
  auto dot = file.rfind('.');
  if (dot == std::string::npos) return -1;
  return ParseInt64(file.substr(dot + 1)).value_or(-1);
}

Result<BinlogValue> ValueFor(const std::string& table, const std::string& column,
                             const std::string& data_type, const std::string& column_type,
                             const std::string& charset, int* width) {
  const std::string& t = data_type;
  if (t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint")
    return column_type.find("unsigned") != std::string::npos ? BinlogValue::kUnsigned
                                                             : BinlogValue::kSigned;
  if (t == "year") return BinlogValue::kSigned;
  if (t == "float") return BinlogValue::kFloat32;
  if (t == "double") return BinlogValue::kDouble;
  if (t == "decimal" || t == "date" || t == "time" || t == "datetime" || t == "timestamp")
    return BinlogValue::kText;
  if (t == "bit") return BinlogValue::kBits;
  if (t == "enum") return BinlogValue::kEnum;
  if (t == "set") return BinlogValue::kSet;
  if (t == "binary") {
    *width =
        static_cast<int>(ParseInt64(column_type.substr(7, column_type.size() - 8)).value_or(0));
    return BinlogValue::kBytes;
  }
  if (t == "varbinary" || t.ends_with("blob")) return BinlogValue::kBytes;
  if (t == "geometry" || t == "point" || t == "linestring" || t == "polygon" ||
      t.starts_with("multi") || t == "geometrycollection")
    return BinlogValue::kGeometry;
  if (t == "char" || t == "varchar" || t.ends_with("text") || t == "json") {
    if (charset == "utf8mb4" || charset == "utf8mb3" || charset == "utf8" || charset == "ascii")
      return BinlogValue::kText;
    if (charset == "latin1") return BinlogValue::kLatin1;
    if (charset == "binary") return BinlogValue::kBytes;
    return Fail(Error(ErrorCode::kUnsupported,
                      fmt::format("{}.{} uses character set {}, which change capture cannot "
                                  "decode from the binlog",
                                  table, column, charset))
                    .WithHint(fmt::format("convert it (ALTER TABLE {} MODIFY {} ... CHARACTER "
                                          "SET utf8mb4), or exclude the table from sync",
                                          table, column)));
  }
  return Fail(Error(ErrorCode::kUnsupported,
                    fmt::format("{}.{} is {}, which change capture cannot decode from the binlog",
                                table, column, column_type))
                  .WithHint("exclude the table from sync, or copy it without sync"));
}

Error GrantError(const MysqlConnection& conn, const std::string& what,
                 const std::string& privileges) {
  return Error(ErrorCode::kBlocked, what)
      .WithHint(fmt::format("as an admin run: GRANT {} ON *.* TO '{}'@'%' (MariaDB 10.5+; "
                            "MySQL: REPLICATION SLAVE, REPLICATION CLIENT)",
                            privileges, conn.endpoint().user()));
}

Error SettingError(const std::string& setting, const std::string& value,
                   const std::string& wanted) {
  return Error(ErrorCode::kUnsupported,
               fmt::format("the source's {} is {}: change capture needs {} = {}", setting, value,
                           setting, wanted))
      .WithHint(fmt::format("as an admin run SET GLOBAL {} = '{}' and put {}={} in the "
                            "server's my.cnf (sessions already connected keep the old value "
                            "until they reconnect)",
                            setting, wanted, setting, wanted));
}

}  // namespace

std::optional<BinlogPosition> BinlogPosition::Parse(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  auto offset = ParseInt64(text.substr(colon + 1));
  std::string file = text.substr(0, colon);
  // A binlog file is "<basename>.<sequence number>"; a time ("2024-01-01 10:00:00") is not.
  if (!offset || *offset < 0 || FileNumber(file) < 0 || file.find(' ') != std::string::npos)
    return std::nullopt;
  return BinlogPosition{.file = file, .offset = static_cast<uint64_t>(*offset)};
}

bool BinlogPosition::Before(const BinlogPosition& other) const {
  int64_t a = FileNumber(file), b = FileNumber(other.file);
  if (a != b) return a < b;
  if (file != other.file) return file < other.file;
  return offset < other.offset;
}

Result<CaptureLayout> LoadCaptureLayout(MysqlConnection& conn, const CaptureTable& table) {
  PL_TRY(conn.Execute("SET @peerlock_table = " + conn.Literal(table.table)));
  PL_ASSIGN(auto rows, conn.Query(std::string(sql::kCaptureColumns)));
  if (rows.empty())
    return Fail(Error(ErrorCode::kNotFound,
                      "table " + table.table + " does not exist in " + conn.endpoint().Redacted()));
  CaptureLayout layout;
  std::vector<std::string>& names = layout.names;
  for (const auto& r : rows) {
    std::string name = r[1].value_or(""), data_type = ToLower(r[2].value_or("")),
                column_type = ToLower(r[3].value_or("")), charset = ToLower(r[4].value_or(""));
    BinlogColumn c;
    PL_ASSIGN(c.value, ValueFor(table.table, name, data_type, column_type, charset, &c.width));
    if (c.value == BinlogValue::kEnum || c.value == BinlogValue::kSet)
      c.labels = ParseEnumLabels(r[3].value_or(""));
    layout.columns.push_back(std::move(c));
    names.push_back(name);
    layout.engine = r[5].value_or("");
    layout.has_primary_key = ParseInt64(r[6].value_or("0")).value_or(0) > 0;
  }
  auto find = [&](const std::string& column) -> int {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == column) return static_cast<int>(i);
    return -1;
  };
  for (const auto& column : table.columns) {
    int i = find(column);
    if (i < 0)
      return Fail(
          Error(ErrorCode::kNotFound, "table " + table.table + " has no column '" + column + "'"));
    layout.deliver.push_back(i);
  }
  for (const auto& k : table.key) {
    int at = -1;
    for (size_t d = 0; d < table.columns.size(); ++d)
      if (table.columns[d] == k) at = static_cast<int>(d);
    if (at < 0)
      return Fail(Error(ErrorCode::kInternal,
                        "key column " + k + " of " + table.table + " is not a captured column"));
    layout.key.push_back(at);
  }
  return layout;
}

Result<BinlogPosition> CurrentBinlogPosition(MysqlConnection& conn) {
  auto status = conn.Query("SHOW MASTER STATUS");
  if (!status) {
    if (status.error().native_code() == "MySQL " + std::to_string(ER_SPECIFIC_ACCESS_DENIED_ERROR))
      return Fail(GrantError(conn,
                             "user '" + conn.endpoint().user() +
                                 "' may not read the binlog position (SHOW MASTER STATUS)",
                             "BINLOG MONITOR, REPLICATION SLAVE"));
    return Fail(status.error());
  }
  if (status->empty() || status->front().size() < 2 || !status->front()[0])
    return Fail(Error(ErrorCode::kUnsupported,
                      "the source " + conn.endpoint().Redacted() + " keeps no binary log")
                    .WithHint("start the server with log_bin=mariadb-bin, binlog_format=ROW "
                              "and binlog_row_image=FULL in my.cnf, then restart it"));
  auto pos = BinlogPosition::Parse(*status->front()[0] + ":" + status->front()[1].value_or(""));
  if (!pos) return Fail(ErrorCode::kInternal, "SHOW MASTER STATUS gave no position");
  return *pos;
}

Result<std::unique_ptr<CaptureHandle>> StartMysqlCapture(MysqlConnection& conn,
                                                         const CaptureSpec& spec) {
  PL_ASSIGN(auto settings, conn.Query("SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, "
                                      "@@GLOBAL.binlog_row_image"));
  if (settings.empty() || settings[0].size() < 3)
    return Fail(ErrorCode::kInternal, "the source did not report its binlog settings");
  const auto& s = settings[0];
  if (s[0].value_or("0") != "1")
    return Fail(Error(ErrorCode::kUnsupported,
                      "the source " + conn.endpoint().Redacted() +
                          " keeps no binary log (log_bin is OFF): change capture reads it")
                    .WithHint("start the server with log_bin=mariadb-bin, binlog_format=ROW "
                              "and binlog_row_image=FULL in my.cnf, then restart it"));
  if (ToLower(s[1].value_or("")) != "row")
    return Fail(SettingError("binlog_format", s[1].value_or(""), "ROW"));
  if (ToLower(s[2].value_or("")) != "full")
    return Fail(SettingError("binlog_row_image", s[2].value_or(""), "FULL"));
  // MariaDB only (MySQL has no such variable, hence no error when the query fails).
  if (auto compress = conn.Query("SELECT @@GLOBAL.log_bin_compress");
      compress && !compress->empty() && compress->front()[0].value_or("0") == "1")
    return Fail(SettingError("log_bin_compress", "ON", "OFF"));
  PL_ASSIGN(BinlogPosition position, CurrentBinlogPosition(conn));
  PL_TRY(ProbeBinlogDump(conn.endpoint(), position));
  for (const auto& table : spec.tables) {
    PL_ASSIGN(CaptureLayout layout, LoadCaptureLayout(conn, table));
    if (!layout.has_primary_key || table.key.empty())
      return Fail(
          Error(ErrorCode::kUnsupported,
                "table " + table.table + " has no primary key: captured changes are applied by key")
              .WithHint("add one (ALTER TABLE " + table.table +
                        " ADD PRIMARY KEY (...)), or exclude the table from sync"));
    if (layout.engine != "InnoDB")
      PL_LOG_WARN(
          "table {} uses the {} engine, which is not transactional: its changes are captured "
          "as the binlog logs them, but a failed statement may leave half its rows changed on "
          "both sides; prefer ALTER TABLE {} ENGINE=InnoDB",
          table.table, layout.engine, table.table);
  }
  return std::unique_ptr<CaptureHandle>(new PositionOnlyCaptureHandle(position.ToString()));
}

}  // namespace peerlock
