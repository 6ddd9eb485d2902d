#pragma once
// What the MariaDB client programs (mariadb-dump, mariadb) need from PeerLock: the endpoint as
// their command-line options (host, port, user, socket, TLS) and the password by environment
// (MYSQL_PWD), never on the command line, where `ps` shows it. Thread-safe (no shared state).

#include <map>
#include <string>
#include <vector>

#include "connector/endpoint.h"

namespace peerlock {

// The TLS a mysql:// URL asks for, read once for the connector and the client programs alike:
// ?ssl=true (or 1, required) or any certificate asks for TLS; a CA also verifies the server's
// certificate against it.
struct MysqlTls {
  bool enabled = false;
  std::string ca, cert, key;
  static MysqlTls From(const Endpoint& endpoint);
};

// "--host=...", "--port=...", "--user=...", and the socket and TLS options of the URL's
// parameters, as MysqlConnection reads them.
std::vector<std::string> MysqlToolArgs(const Endpoint& endpoint);
// MYSQL_PWD for `endpoint`, when it has a password.
std::map<std::string, std::string> MysqlToolEnv(const Endpoint& endpoint);

}  // namespace peerlock
