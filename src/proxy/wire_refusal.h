#pragma once
// What a client held past the hold timeout is told before its connection closes, in its own
// database protocol, so that the application logs a reason ("the database is being switched")
// instead of "connection reset by peer". The proxy forwards bytes and knows no protocol
// otherwise: this is only the first message a server would send.
//   PostgreSQL: an ErrorResponse (FATAL, SQLSTATE 57P03 cannot_connect_now). libpq reads it
//               whether it sent a StartupMessage or an SSLRequest first.
//   MySQL/MariaDB: an ERR packet in place of the server's greeting (error 1053, "server
//               shutdown in progress", which clients treat as retryable).

#include <cstdint>
#include <string>
#include <string_view>

namespace peerlock {

enum class WireProtocol { kRaw, kPostgres, kMysql };

// The protocol of a database URL's scheme (postgresql://, mysql://, ...); kRaw otherwise.
WireProtocol WireProtocolForScheme(std::string_view scheme);

// The bytes refusing a connection with `message`; empty for kRaw (the connection is reset).
std::string WireRefusal(WireProtocol protocol, std::string_view message);

// A PostgreSQL ErrorResponse of severity FATAL with SQLSTATE `sqlstate`.
std::string PostgresFatal(std::string_view sqlstate, std::string_view message);
// A MySQL ERR packet 1053 (server shutdown in progress) with sequence id `sequence`.
std::string MysqlServerShutdown(uint8_t sequence, std::string_view message);

}  // namespace peerlock
