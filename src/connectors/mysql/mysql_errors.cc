#include "connectors/mysql/mysql_errors.h"

#include <errmsg.h>
#include <mysqld_error.h>

namespace peerlock {
namespace {

std::string UserOf(const Endpoint* endpoint) {
  return endpoint && !endpoint->user().empty() ? endpoint->user() : "the URL's user";
}

std::string DatabaseOf(const Endpoint* endpoint) {
  return endpoint && !endpoint->database().empty() ? endpoint->database() : "<database>";
}

}  // namespace

Error MysqlErrorFor(unsigned errnum, const std::string& message, const std::string& what,
                    const Endpoint* endpoint) {
  ErrorCode code = ErrorCode::kDatabase;
  std::string hint;
  bool retryable = false;
  std::string grant =
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, "
      "REFERENCES, TRIGGER, CREATE VIEW, SHOW VIEW ON `" +
      DatabaseOf(endpoint) + "`.* TO '" + UserOf(endpoint) + "'@'%'";
  switch (errnum) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
      code = ErrorCode::kConnection;
      hint = "the server refused user '" + UserOf(endpoint) +
             "' with the password given: check the password in the URL, or the plan's "
             "password_env / password_file for this endpoint";
      break;
    case ER_DBACCESS_DENIED_ERROR:
      code = ErrorCode::kConnection;
      hint = "user '" + UserOf(endpoint) + "' may not use the database; as an admin run: " + grant;
      break;
    case ER_BAD_DB_ERROR:
      code = ErrorCode::kConnection;
      hint = "create it first: CREATE DATABASE `" + DatabaseOf(endpoint) +
             "` CHARACTER SET utf8mb4, or fix the database name in the URL";
      break;
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_PROCACCESS_DENIED_ERROR:
      hint = "user '" + UserOf(endpoint) + "' lacks a privilege; as an admin run: " + grant;
      break;
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      hint = "user '" + UserOf(endpoint) +
             "' lacks a global privilege; as an admin run: GRANT RELOAD, REPLICATION CLIENT, "
             "BINLOG MONITOR ON *.* TO '" +
             UserOf(endpoint) + "'@'%'";
      break;
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_IPSOCK_ERROR:
      code = ErrorCode::kConnection;
      retryable = true;
      hint = "no MariaDB/MySQL server answers at " +
             (endpoint ? endpoint->host() + ":" +
                             std::to_string(endpoint->port() ? endpoint->port() : 3306)
                       : std::string("that address")) +
             ": check host and port, that the server runs and that a firewall lets you in";
      break;
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case ER_CONNECTION_KILLED:
      code = ErrorCode::kConnection;
      retryable = true;
      hint = "the connection was lost; rerun (copy with --resume)";
      break;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
      retryable = true;
      hint = "another transaction holds conflicting locks; retry";
      break;
    case ER_DUP_ENTRY:
    case ER_DUP_KEY:
      hint = "the target already holds conflicting rows; use --if-exists replace to start over";
      break;
    case ER_NO_SUCH_TABLE: code = ErrorCode::kNotFound; break;
    case ER_NOT_ALLOWED_COMMAND:
      hint =
          "the server refuses LOAD DATA LOCAL INFILE: as an admin run "
          "SET GLOBAL local_infile = 1 (or start the server with --local-infile=1)";
      break;
    case ER_RECORD_FILE_FULL:
    case ER_DISK_FULL:
    case ER_OUTOFMEMORY:
      code = ErrorCode::kIo;
      hint = "the target server is out of space: free some, then rerun with --resume";
      break;
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_DATA_TOO_LONG:
    case WARN_DATA_TRUNCATED:
    case ER_BAD_NULL_ERROR:
    case ER_WARN_NULL_TO_NOTNULL:
    case ER_CANNOT_CONVERT_CHARACTER:
    case ER_INVALID_CHARACTER_STRING:
      code = ErrorCode::kDataLoss;
      hint =
          "the target column cannot hold this value exactly; add a cast rule for the column "
          "in the plan (transform: <table>: columns: <column>: {cast: ...})";
      break;
    case ER_QUERY_INTERRUPTED: code = ErrorCode::kCancelled; break;
    default: break;
  }
  Error error(code, what + ": " + message);
  error.WithNative("MySQL " + std::to_string(errnum)).Retryable(retryable);
  if (!hint.empty()) error.WithHint(hint);
  return error;
}

Error MysqlError(MYSQL* conn, const std::string& what) {
  return MysqlErrorFor(mysql_errno(conn), mysql_error(conn), what);
}

}  // namespace peerlock
