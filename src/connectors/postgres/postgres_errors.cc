#include "connectors/postgres/postgres_errors.h"

#include <cstring>

#include "base/strings.h"

namespace peerlock {
namespace {

std::string Field(const PGresult* result, int field) {
  const char* v = result ? PQresultErrorField(result, field) : nullptr;
  return v ? v : "";
}

// The GRANT that fixes a permission error on `object`, when the message names one.
std::string GrantHint(const std::string& message) {
  // "permission denied for table orders" / "... for schema s" / "... for sequence q"
  auto pos = message.find("permission denied for ");
  if (pos == std::string::npos) return "grant the missing privilege to PeerLock's user";
  std::string rest = message.substr(pos + 22);
  auto space = rest.find(' ');
  std::string kind = rest.substr(0, space);
  std::string name = space == std::string::npos ? "" : Trim(rest.substr(space + 1));
  if (kind == "table" || kind == "relation")
    return "run as the owner: GRANT SELECT ON TABLE " + name +
           " TO <peerlock user>; (INSERT too on a target)";
  if (kind == "schema")
    return "run as the owner: GRANT USAGE, CREATE ON SCHEMA " + name + " TO <peerlock user>;";
  if (kind == "sequence")
    return "run as the owner: GRANT USAGE, SELECT, UPDATE ON SEQUENCE " + name +
           " TO <peerlock user>;";
  if (kind == "database")
    return "run as a superuser: GRANT CREATE, CONNECT ON DATABASE " + name + " TO <peerlock user>;";
  return "grant the missing privilege on " + rest + " to PeerLock's user";
}

}  // namespace

Error PostgresResultError(const PGresult* result, const std::string& what) {
  std::string sqlstate = Field(result, PG_DIAG_SQLSTATE);
  std::string message = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && result) message = Trim(PQresultErrorMessage(result));
  std::string detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) message += " (" + detail + ")";
  // "COPY orders, line 5, column qty: "twelve"": names the column and the row of the chunk.
  std::string where = Field(result, PG_DIAG_CONTEXT);
  if (!where.empty()) message += " [" + where.substr(0, where.find('\n')) + "]";
  ErrorCode code = ErrorCode::kDatabase;
  std::string hint;
  bool retryable = false;
  std::string cls = sqlstate.substr(0, 2);
  if (sqlstate == "42501") {
    code = ErrorCode::kBlocked;
    hint = GrantHint(message);
  } else if (sqlstate == "53100") {
    code = ErrorCode::kIo;
    hint = "the server's disk is full: free space on it, then rerun with --resume";
  } else if (cls == "53") {
    code = ErrorCode::kIo;
    retryable = true;
    hint = "the server ran out of a resource (memory, connections): lower --workers or retry";
  } else if (cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
             (sqlstate.empty() && result && PQresultStatus(result) == PGRES_FATAL_ERROR)) {
    // No SQLSTATE: libpq made the error itself, which on a connection that worked means the
    // server went away mid-request ("server closed the connection unexpectedly").
    code = ErrorCode::kConnection;
    retryable = true;
    hint = "the server went away: check it is running, then rerun with --resume";
  } else if (sqlstate == "40001" || sqlstate == "40P01") {
    retryable = true;
    hint = "a concurrent transaction conflicted; rerun with --resume";
  } else if (sqlstate == "57014") {
    code = ErrorCode::kCancelled;
  } else if (sqlstate == "23505") {
    hint = "the target already holds rows with these keys; use --if-exists replace to start over";
  } else if (cls == "22") {
    code = ErrorCode::kDataLoss;
    hint =
        "the target column cannot hold this value exactly: add a cast rule for the column in "
        "the plan, or fix the source row";
  } else if (sqlstate == "42P01") {
    code = ErrorCode::kNotFound;
  } else if (sqlstate == "42P07" || sqlstate == "42710") {
    code = ErrorCode::kBlocked;
    hint = "the object already exists on the target: drop it or use --if-exists replace";
  }
  Error error(code, what + ": " + message);
  if (!sqlstate.empty()) error.WithNative("SQLSTATE " + sqlstate);
  error.Retryable(retryable);
  if (!hint.empty()) error.WithHint(hint);
  return error;
}

Error PostgresConnectionError(PGconn* conn, const std::string& where, bool has_password) {
  std::string message = conn ? Trim(PQerrorMessage(conn)) : "out of memory";
  // libpq messages may span lines ("connection to server at ... failed: ..."); keep them short.
  for (auto& c : message)
    if (c == '\n') c = ' ';
  std::string lower = ToLower(message);
  std::string hint = "check that the server is running and reachable, and the URL " + where;
  ErrorCode code = ErrorCode::kConnection;
  if (lower.find("password authentication failed") != std::string::npos ||
      lower.find("no password supplied") != std::string::npos ||
      lower.find("password is required") != std::string::npos) {
    hint = has_password ? "the password was refused: check the variable or file named by the "
                          "plan's password_env / password_file (or ~/.pgpass)"
                        : "the server wants a password: set the plan's password_env or "
                          "password_file, or add it to ~/.pgpass";
  } else if (lower.find("does not exist") != std::string::npos) {
    hint = "create the database or role first, or fix the URL " + where;
  } else if (lower.find("connection refused") != std::string::npos ||
             lower.find("could not translate host name") != std::string::npos ||
             lower.find("timeout expired") != std::string::npos) {
    hint = "nothing answers at " + where + ": check host, port and that PostgreSQL is running";
  } else if (lower.find("no pg_hba.conf entry") != std::string::npos) {
    hint = "add a pg_hba.conf line allowing this host and user, then reload the server";
  } else if (lower.find("ssl") != std::string::npos) {
    hint = "check the sslmode / sslrootcert parameters of the URL " + where;
  }
  Error error(code, "cannot connect to " + where + ": " + message);
  error.WithHint(hint).Retryable(true);
  return error;
}

}  // namespace peerlock
