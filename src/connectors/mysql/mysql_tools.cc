#include "connectors/mysql/mysql_tools.h"

#include "base/strings.h"

namespace peerlock {
namespace {

std::string Param(const Endpoint& e, const std::string& key) {
  auto it = e.params().find(key);
  return it == e.params().end() ? std::string() : it->second;
}

}  // namespace

std::vector<std::string> MysqlToolArgs(const Endpoint& endpoint) {
  std::vector<std::string> args;
  if (!endpoint.host().empty()) args.push_back("--host=" + endpoint.host());
  if (endpoint.port() > 0) args.push_back("--port=" + std::to_string(endpoint.port()));
  if (!endpoint.user().empty()) args.push_back("--user=" + endpoint.user());
  if (std::string socket = Param(endpoint, "socket"); !socket.empty())
    args.push_back("--socket=" + socket);
  // The same TLS rule as MysqlConnection::Open: ?ssl=true or any certificate asks for TLS; a CA
  // also verifies the server's certificate.
  const std::string ssl = ToLower(Param(endpoint, "ssl"));
  const std::string ca = Param(endpoint, "ssl_ca"), cert = Param(endpoint, "ssl_cert"),
                    key = Param(endpoint, "ssl_key");
  if (ssl == "true" || ssl == "1" || ssl == "required" || !ca.empty() || !cert.empty()) {
    args.push_back("--ssl");
    if (!ca.empty()) {
      args.push_back("--ssl-ca=" + ca);
      args.push_back("--ssl-verify-server-cert");
    }
    if (!cert.empty()) args.push_back("--ssl-cert=" + cert);
    if (!key.empty()) args.push_back("--ssl-key=" + key);
  }
  return args;
}

std::map<std::string, std::string> MysqlToolEnv(const Endpoint& endpoint) {
  if (endpoint.password().empty()) return {};
  return {{"MYSQL_PWD", endpoint.password()}};
}

}  // namespace peerlock
