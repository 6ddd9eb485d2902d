#pragma once
// Follows the message framing of one proxied connection, without interpreting the messages, so
// that a session the proxy must end (a drain's grace is over) can be told why in its own
// protocol, as a server ending it would: PostgreSQL's ErrorResponse FATAL 57P01 (admin_shutdown),
// MySQL/MariaDB's ERR packet 1053 with the sequence id the client expects next. That is only
// possible while what the client received so far ends on a message boundary and the stream is
// readable (not TLS, not compressed); otherwise Termination is empty and the connection is reset.
//
// PostgreSQL: the client's startup packets (SSLRequest and GSSENCRequest each get a one-byte
// answer; 'S' or 'G' means TLS or GSSAPI encryption follows), then the server's messages
// (a type byte and a 4-byte length).
// MySQL: 4-byte packet headers (3-byte length, sequence id) both ways. The client's handshake
// response says whether TLS (CLIENT_SSL) or compression (CLIENT_COMPRESS) follows. Within an
// exchange sequence ids count up across both directions; a client that is idle sends its next
// command with 0 and expects 1, which is what the ERR gets when the server spoke last (an
// idle pooled connection, the common case).
// Not thread-safe; fed in order, with the bytes as they were passed on.

#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/wire_refusal.h"

namespace peerlock {

class WireFrames {
 public:
  explicit WireFrames(WireProtocol protocol) : protocol_(protocol) {}

  void Upstream(std::string_view bytes);    // client -> backend
  void Downstream(std::string_view bytes);  // backend -> client

  // The bytes that end the session with `message`, or "" when they cannot be sent now.
  std::string Termination(std::string_view message) const;

 private:
  // A length-prefixed frame being read: its header bytes so far, then the body left to skip.
  struct Frame {
    std::string header;
    int64_t body_left = 0;
    int sequence = 0;  // MySQL: the packet's sequence id
    bool AtBoundary() const { return header.empty() && body_left == 0; }
  };
  void PostgresUpstream(std::string_view bytes);
  void PostgresDownstream(std::string_view bytes);
  void MysqlStream(std::string_view bytes, bool upstream);

  WireProtocol protocol_;
  bool opaque_ = false;  // encrypted or compressed from here on: nothing more can be followed
  Frame up_, down_;
  // PostgreSQL
  bool startup_done_ = false;  // the StartupMessage was sent: the client's frames are not needed
  int one_byte_answers_ = 0;   // SSL/GSSENC requests awaiting the server's one-byte answer
  // MySQL
  int last_sequence_ = -1;  // sequence id of the last complete packet, either way
  bool server_spoke_last_ = true;
  bool handshake_seen_ = false;  // the client's handshake response was read
};

}  // namespace peerlock
