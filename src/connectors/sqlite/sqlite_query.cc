#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_statement.h"

namespace peerlock {

Result<int64_t> SqliteSession::RunReadQuery(const std::string& sql) {
  PL_ASSIGN(SqliteStatement statement, SqliteStatement::Prepare(db_, sql));
  int64_t rows = 0;
  while (true) {
    PL_ASSIGN(bool row, statement.Step());
    if (!row) break;
    ++rows;
  }
  return rows;
}

}  // namespace peerlock
