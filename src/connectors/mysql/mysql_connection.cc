#include "connectors/mysql/mysql_connection.h"

#include "base/strings.h"
#include "connectors/mysql/mysql_errors.h"
#include "connectors/mysql/mysql_tools.h"

namespace peerlock {
namespace {

std::string Abbreviated(const std::string& sql) {
  return sql.size() > 300 ? sql.substr(0, 300) + "..." : sql;
}

}  // namespace

Result<std::unique_ptr<MysqlConnection>> MysqlConnection::Open(const Endpoint& endpoint,
                                                               unsigned read_timeout_s) {
  MYSQL* conn = mysql_init(nullptr);
  if (!conn) return Fail(ErrorCode::kInternal, "mysql_init failed (out of memory)");
  unsigned timeout = 10;
  if (auto t = ParseInt64(endpoint.param("connect_timeout")); t && *t > 0)
    timeout = static_cast<unsigned>(*t);
  unsigned net_timeout = 3600;  // a streamed read waits while the writer catches up
  my_bool local_infile = 1;
  mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &read_timeout_s);
  mysql_options(conn, MYSQL_OPT_WRITE_TIMEOUT, &net_timeout);
  mysql_options(conn, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (const auto tls = MysqlTls::From(endpoint); tls.enabled) {
    my_bool enforce = 1;
    mysql_options(conn, MYSQL_OPT_SSL_ENFORCE, &enforce);
    if (!tls.ca.empty()) {
      mysql_options(conn, MYSQL_OPT_SSL_CA, tls.ca.c_str());
      my_bool verify = 1;
      mysql_options(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }
    if (!tls.cert.empty()) mysql_options(conn, MYSQL_OPT_SSL_CERT, tls.cert.c_str());
    if (!tls.key.empty()) mysql_options(conn, MYSQL_OPT_SSL_KEY, tls.key.c_str());
  }
  std::string socket = endpoint.param("socket");
  std::string host = endpoint.host().empty() ? "localhost" : endpoint.host();
  const std::string& password = endpoint.password();
  if (!mysql_real_connect(conn, host.c_str(), endpoint.user().c_str(),
                          password.empty() ? nullptr : password.c_str(),
                          endpoint.database().empty() ? nullptr : endpoint.database().c_str(),
                          static_cast<unsigned>(endpoint.port()),
                          socket.empty() ? nullptr : socket.c_str(),
                          CLIENT_LOCAL_FILES | CLIENT_MULTI_RESULTS)) {
    Error error = MysqlErrorFor(mysql_errno(conn), mysql_error(conn),
                                "connecting to " + endpoint.Redacted(), &endpoint);
    mysql_close(conn);
    return Fail(std::move(error));
  }
  auto c = std::unique_ptr<MysqlConnection>(new MysqlConnection(conn, endpoint));
  if (endpoint.database().empty())
    return Fail(Error(ErrorCode::kInvalidArgument, endpoint.Redacted() + " names no database")
                    .WithHint("use mysql://user@host:port/database"));
  // Values are read and written as stored: UTC for TIMESTAMP, utf8mb4 bytes, no silent
  // coercion (strict), an explicit 0 in an AUTO_INCREMENT column kept as 0.
  PL_TRY(c->Execute(
      "SET NAMES utf8mb4 COLLATE utf8mb4_bin, time_zone = '+00:00', "
      "sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,"
      "ERROR_FOR_DIVISION_BY_ZERO', "
      "net_write_timeout = 3600, net_read_timeout = 3600, group_concat_max_len = 1048576"));
  return c;
}

MysqlConnection::~MysqlConnection() { mysql_close(conn_); }

Error MysqlConnection::LastError(const std::string& what) {
  return MysqlErrorFor(mysql_errno(conn_), mysql_error(conn_), what, &endpoint_);
}

Status MysqlConnection::Execute(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0)
    return Fail(LastError("in " + endpoint_.Redacted() + " running '" + Abbreviated(sql) + "'"));
  // Drain every result (statements may return rows, or several results).
  do {
    if (MYSQL_RES* res = mysql_store_result(conn_)) mysql_free_result(res);
    if (mysql_errno(conn_))
      return Fail(LastError("in " + endpoint_.Redacted() + " running '" + Abbreviated(sql) + "'"));
  } while (mysql_next_result(conn_) == 0);
  if (mysql_errno(conn_))
    return Fail(LastError("in " + endpoint_.Redacted() + " running '" + Abbreviated(sql) + "'"));
  return {};
}

Result<MysqlRows> MysqlConnection::Query(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0)
    return Fail(LastError("in " + endpoint_.Redacted() + " running '" + Abbreviated(sql) + "'"));
  MYSQL_RES* res = mysql_store_result(conn_);
  if (!res) {
    if (mysql_errno(conn_))
      return Fail(LastError("in " + endpoint_.Redacted() + " running '" + Abbreviated(sql) + "'"));
    return MysqlRows{};
  }
  MysqlRows rows;
  unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    auto& out = rows.emplace_back();
    for (unsigned i = 0; i < n; ++i) {
      if (row[i])
        out.emplace_back(std::string(row[i], lengths[i]));
      else
        out.emplace_back(std::nullopt);
    }
  }
  mysql_free_result(res);
  while (mysql_next_result(conn_) == 0)
    if (MYSQL_RES* more = mysql_store_result(conn_)) mysql_free_result(more);
  return rows;
}

Result<MYSQL_RES*> MysqlConnection::Stream(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0)
    return Fail(LastError("in " + endpoint_.Redacted() + " running '" + Abbreviated(sql) + "'"));
  MYSQL_RES* res = mysql_use_result(conn_);
  if (!res)
    return Fail(LastError("in " + endpoint_.Redacted() + " reading '" + Abbreviated(sql) + "'"));
  return res;
}

std::string MysqlConnection::Literal(std::string_view text) {
  std::string out(text.size() * 2 + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(conn_, out.data() + 1, text.data(), text.size());
  out.resize(n + 1);
  out += '\'';
  return out;
}

std::string MysqlConnection::server_version() const { return mysql_get_server_info(conn_); }

}  // namespace peerlock
