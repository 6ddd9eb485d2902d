#include "connectors/postgres/postgres_session.h"
#include "connectors/postgres/postgres_sql.h"

namespace peerlock {

Result<std::map<std::string, std::string>> PostgresSession::ServerFacts() {
  PL_ASSIGN(PgResult result, conn_->Query(std::string(sql::kServerFacts)));
  std::map<std::string, std::string> facts;
  if (PQntuples(result.get()) != 1) return facts;
  for (int i = 0; i < PQnfields(result.get()); ++i) {
    facts[PQfname(result.get(), i)] =
        PQgetisnull(result.get(), 0, i) ? "" : PQgetvalue(result.get(), 0, i);
  }
  return facts;
}

Result<int64_t> PostgresSession::RunReadQuery(const std::string& sql) {
  PL_ASSIGN(PgResult result, conn_->Query(sql));
  return static_cast<int64_t>(PQntuples(result.get()));
}

}  // namespace peerlock
