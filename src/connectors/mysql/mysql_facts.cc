#include "connectors/mysql/mysql_session.h"
#include "connectors/mysql/mysql_sql.h"

namespace peerlock {

Result<std::map<std::string, std::string>> MysqlSession::ServerFacts() {
  PL_ASSIGN(MysqlRows rows, conn_->Query(std::string(sql::kServerFacts)));
  // The column names are those of server_facts.sql, in its order.
  static const char* kNames[] = {
      "version",       "log_bin", "binlog_format", "binlog_row_image", "non_transactional_tables",
      "database_bytes"};
  std::map<std::string, std::string> facts;
  if (rows.size() != 1) return facts;
  for (size_t i = 0; i < std::size(kNames) && i < rows[0].size(); ++i) {
    facts[kNames[i]] = rows[0][i].value_or("");
  }
  return facts;
}

Result<int64_t> MysqlSession::RunReadQuery(const std::string& sql) {
  PL_ASSIGN(MysqlRows rows, conn_->Query(sql));
  return static_cast<int64_t>(rows.size());
}

}  // namespace peerlock
