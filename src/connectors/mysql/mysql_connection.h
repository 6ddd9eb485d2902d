#pragma once
// One Connector/C connection (MYSQL*), opened with the settings every PeerLock session relies
// on: utf8mb4, time zone +00:00 (TIMESTAMPs read and written as UTC), strict SQL mode with
// NO_AUTO_VALUE_ON_ZERO (an explicit id 0 stays 0), LOAD DATA LOCAL enabled, long network
// timeouts (a streamed read may wait on a slow writer). Owns the handle; not thread-safe.

#include <mysql.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "connector/endpoint.h"

namespace peerlock {

// Rows of a small result set, each cell as text (NULL -> nullopt).
using MysqlRows = std::vector<std::vector<std::optional<std::string>>>;

class MysqlConnection {
 public:
  // Connects to `endpoint` (password from the endpoint; never logged). Blocks up to the
  // connect timeout (`connect_timeout` URL parameter, default 10 s). A read waits at most
  // `read_timeout_s` for the server before failing as a lost connection.
  static Result<std::unique_ptr<MysqlConnection>> Open(const Endpoint& endpoint,
                                                       unsigned read_timeout_s = 3600);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  MYSQL* handle() { return conn_; }
  const Endpoint& endpoint() const { return endpoint_; }

  // Runs one statement, discarding any result.
  Status Execute(const std::string& sql);
  // Runs one statement and returns its whole (small) result.
  Result<MysqlRows> Query(const std::string& sql);
  // Sends `sql` and returns the unbuffered result (mysql_use_result); the caller drains and
  // frees it before the next statement.
  Result<MYSQL_RES*> Stream(const std::string& sql);

  // 'text' as a quoted string literal for this connection's character set.
  std::string Literal(std::string_view text);
  // An Error for the connection's last failure, with connection hints for this endpoint.
  Error LastError(const std::string& what);

  // Server version text, e.g. "10.11.6-MariaDB-0+deb12u1-log".
  std::string server_version() const;

 private:
  MysqlConnection(MYSQL* conn, Endpoint endpoint) : conn_(conn), endpoint_(std::move(endpoint)) {}

  MYSQL* conn_;
  Endpoint endpoint_;
};

}  // namespace peerlock
