#include "connectors/postgres/postgres_connection.h"

#include "base/log.h"
#include "connectors/postgres/postgres_errors.h"

namespace peerlock {
namespace {

// Single-quoted, backslash-escaped keyword value for a libpq connection string.
std::string ConnValue(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// Server notices go to our log instead of libpq's raw "NOTICE: ..." on stderr: the routine ones
// (CREATE ... IF NOT EXISTS skipping) only at debug level, warnings as warnings.
void LogServerNotice(void* where, const PGresult* notice) {
  const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
  const char* text = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
  if (!text) return;
  const auto& server = *static_cast<const std::string*>(where);
  if (severity && std::string_view(severity) == "WARNING")
    PL_LOG_WARN("PostgreSQL {} warns: {}", server, text);
  else
    PL_LOG_DEBUG("PostgreSQL {} {}: {}", server, severity ? severity : "notice", text);
}

}  // namespace

std::string PgConnInfo(const Endpoint& endpoint, bool with_password) {
  std::string info;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!v.empty()) info += k + "=" + ConnValue(v) + " ";
  };
  add("host", endpoint.host());
  if (endpoint.port()) add("port", std::to_string(endpoint.port()));
  add("user", endpoint.user());
  add("dbname", endpoint.database());
  if (with_password) add("password", endpoint.password());
  for (const auto& [k, v] : endpoint.params())
    if (k != "options") add(k, v);
  if (!endpoint.params().count("connect_timeout")) add("connect_timeout", "10");
  // A frozen database makes new sessions read-only (postgres_freeze.cc); PeerLock's own keep
  // writing (read-only sessions turn it back on for themselves), and the name tells a freeze
  // which sessions are PeerLock's.
  std::string options = "-c default_transaction_read_only=off";
  if (auto it = endpoint.params().find("options"); it != endpoint.params().end())
    options = it->second + " " + options;
  add("options", options);
  add("application_name", "peerlock");
  return info;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const Endpoint& endpoint,
                                                         bool replication) {
  std::string info = PgConnInfo(endpoint, /*with_password=*/true);
  if (replication) info += " replication=database";
  PGconn* conn = PQconnectdb(info.c_str());
  std::string where = endpoint.Redacted();
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    Error error = PostgresConnectionError(conn, where, !endpoint.password().empty());
    if (conn) PQfinish(conn);
    return Fail(std::move(error));
  }
  auto c = std::unique_ptr<PgConnection>(new PgConnection(conn, where));
  PQsetNoticeReceiver(conn, LogServerNotice, &c->where_);
  if (!replication) {
    // Values are read and written in these forms; canonical hashing relies on them.
    PL_TRY(c->Execute(
        "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
        "SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; "
        "SET bytea_output = 'hex'; SET statement_timeout = 0; "
        "SET idle_in_transaction_session_timeout = 0; "
        // PeerLock runs its own parallel sessions; per-query workers would oversubscribe.
        "SET max_parallel_workers_per_gather = 0"));
  }
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Error PgConnection::ConnectionError(const std::string& what) const {
  std::string message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  ErrorCode code =
      PQstatus(conn_) == CONNECTION_BAD ? ErrorCode::kConnection : ErrorCode::kDatabase;
  Error e(code, what + " on " + where_ + ": " + message);
  if (code == ErrorCode::kConnection)
    e.WithHint("the connection to PostgreSQL broke: check the server, then rerun with --resume")
        .Retryable(true);
  return e;
}

Status PgConnection::Execute(const std::string& sql) {
  PgResult r(PQexec(conn_, sql.c_str()));
  if (!r) return Fail(ConnectionError("running a statement"));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return Fail(PostgresResultError(r.get(), "running '" + sql.substr(0, 200) + "'"));
  return {};
}

Result<std::optional<std::string>> PgConnection::ExecuteDoing(const std::string& doing,
                                                              const std::string& sql) {
  PgResult r(PQexec(conn_, sql.c_str()));
  if (!r) return Fail(ConnectionError(doing));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return Fail(PostgresResultError(r.get(), doing));
  if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(PQgetvalue(r.get(), 0, 0));
}

Result<PgResult> PgConnection::Query(const std::string& sql,
                                     const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  // Replication connections speak only the simple protocol: use it when there is no parameter.
  PgResult r(params.empty() ? PQexec(conn_, sql.c_str())
                            : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                           nullptr, values.data(), nullptr, nullptr, 0));
  if (!r) return Fail(ConnectionError("running a query"));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    return Fail(PostgresResultError(r.get(), "running '" + sql.substr(0, 200) + "'"));
  return r;
}

Result<std::optional<std::string>> PgConnection::QueryValue(
    const std::string& sql, const std::vector<std::string>& params) {
  PL_ASSIGN(auto r, Query(sql, params));
  if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(PQgetvalue(r.get(), 0, 0));
}

std::string PgConnection::Literal(std::string_view value) const {
  char* quoted = PQescapeLiteral(conn_, value.data(), value.size());
  if (!quoted) return "NULL";  // only on out-of-memory or invalid encoding; the query then fails
  std::string out = quoted;
  PQfreemem(quoted);
  return out;
}

Status PgConnection::StartCopy(const std::string& copy_sql, ExecStatusType expected) {
  PgResult r(PQexec(conn_, copy_sql.c_str()));
  if (!r) return Fail(ConnectionError("starting COPY"));
  if (PQresultStatus(r.get()) != expected)
    return Fail(PostgresResultError(r.get(), "running '" + copy_sql.substr(0, 200) + "'"));
  return {};
}

Status PgConnection::EndCopyIn() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return Fail(ConnectionError("ending COPY"));
  Status status;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (status && PQresultStatus(raw) != PGRES_COMMAND_OK)
      status = Fail(PostgresResultError(raw, "loading rows with COPY"));
  }
  return status;
}

Status PgConnection::FinishCopyOut() {
  Status status;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (status && PQresultStatus(raw) != PGRES_COMMAND_OK)
      status = Fail(PostgresResultError(raw, "reading rows with COPY"));
  }
  return status;
}

}  // namespace peerlock
