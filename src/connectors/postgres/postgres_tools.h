#pragma once
// What the PostgreSQL client programs (pg_dump, pg_restore, vacuumdb) need from PeerLock: the
// binary matching the server, the password by environment (never on the command line, where
// `ps` shows it). Their errors are cut to a line with FirstLines (base/process.h). Thread-safe (no
// shared state).

#include <map>
#include <string>

#include "connector/endpoint.h"

namespace peerlock {

// The program matching the server's major version (`server_version` as 150004), else PATH's.
std::string PgTool(const std::string& name, int server_version);
// PGPASSWORD for `endpoint`, when it has a password.
std::map<std::string, std::string> PgPasswordEnv(const Endpoint& endpoint);

}  // namespace peerlock
