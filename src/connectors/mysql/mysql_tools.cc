#include "connectors/mysql/mysql_tools.h"

#include "base/strings.h"

namespace peerlock {

MysqlTls MysqlTls::From(const Endpoint& endpoint) {
  MysqlTls tls{.ca = endpoint.param("ssl_ca"),
               .cert = endpoint.param("ssl_cert"),
               .key = endpoint.param("ssl_key")};
  const std::string ssl = ToLower(endpoint.param("ssl"));
  tls.enabled =
      ssl == "true" || ssl == "1" || ssl == "required" || !tls.ca.empty() || !tls.cert.empty();
  return tls;
}

std::vector<std::string> MysqlToolArgs(const Endpoint& endpoint) {
  std::vector<std::string> args;
  if (!endpoint.host().empty()) args.push_back("--host=" + endpoint.host());
  if (endpoint.port() > 0) args.push_back("--port=" + std::to_string(endpoint.port()));
  if (!endpoint.user().empty()) args.push_back("--user=" + endpoint.user());
  if (std::string socket = endpoint.param("socket"); !socket.empty())
    args.push_back("--socket=" + socket);
  if (auto tls = MysqlTls::From(endpoint); tls.enabled) {
    args.push_back("--ssl");
    if (!tls.ca.empty()) {
      args.push_back("--ssl-ca=" + tls.ca);
      args.push_back("--ssl-verify-server-cert");
    }
    if (!tls.cert.empty()) args.push_back("--ssl-cert=" + tls.cert);
    if (!tls.key.empty()) args.push_back("--ssl-key=" + tls.key);
  }
  return args;
}

std::map<std::string, std::string> MysqlToolEnv(const Endpoint& endpoint) {
  if (endpoint.password().empty()) return {};
  return {{"MYSQL_PWD", endpoint.password()}};
}

}  // namespace peerlock
