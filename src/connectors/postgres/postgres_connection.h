#pragma once
// One libpq connection with the session settings every PeerLock read and write relies on
// (UTC, ISO dates, shortest round-trip floats, UTF-8), and the small query helpers the
// PostgreSQL session is built from. Owns the PGconn; not thread-safe; blocks on I/O.

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "connector/endpoint.h"

namespace peerlock {

// Owns a PGresult.
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConnection {
 public:
  // Connects to `endpoint` (password from the endpoint, else libpq's own ~/.pgpass lookup).
  // `replication` opens a logical replication connection (replication=database).
  static Result<std::unique_ptr<PgConnection>> Open(const Endpoint& endpoint,
                                                    bool replication = false);
  ~PgConnection();

  PGconn* raw() const { return conn_; }
  const std::string& where() const { return where_; }
  int server_version() const { return PQserverVersion(conn_); }

  // Runs `sql` (one or more statements); the result of the last one must be OK.
  Status Execute(const std::string& sql);
  // As Execute, but a failure says what it was `doing` instead of quoting `sql`: statements
  // that carry row values keep them out of errors and logs. Returns the last statement's first
  // value (nullopt when it has no row or it is NULL).
  Result<std::optional<std::string>> ExecuteDoing(const std::string& doing, const std::string& sql);
  // Runs a query with text parameters; fails unless it returns tuples (or a command status).
  Result<PgResult> Query(const std::string& sql, const std::vector<std::string>& params = {});
  // First column of the first row, or nullopt when there is no row or it is NULL.
  Result<std::optional<std::string>> QueryValue(const std::string& sql,
                                                const std::vector<std::string>& params = {});

  // 'literal' quoted for this connection (standard_conforming_strings aware).
  std::string Literal(std::string_view value) const;

  // Starts COPY ... FROM STDIN / TO STDOUT; the caller then uses PQputCopyData/PQgetCopyData.
  Status StartCopy(const std::string& copy_sql, ExecStatusType expected);
  // Ends COPY FROM STDIN and collects its result.
  Status EndCopyIn();
  // After PQgetCopyData returned -1: the COPY's final result.
  Status FinishCopyOut();

  // An error for a failed operation on this connection (uses the connection's message).
  Error ConnectionError(const std::string& what) const;

 private:
  PgConnection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}

  PGconn* conn_;
  std::string where_;  // the redacted URL
};

// libpq connection string for `endpoint` (password included: never print it), as PeerLock
// connects: application_name=peerlock and default_transaction_read_only off, so PeerLock's
// sessions write into a database frozen for a cutover (postgres_freeze.cc).
std::string PgConnInfo(const Endpoint& endpoint, bool with_password);

}  // namespace peerlock
