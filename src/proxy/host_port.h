#pragma once
// A TCP address as written in plans and flags: "127.0.0.1:6432", "db.internal:5432",
// "[::1]:5432", ":6432" (loopback, see ParseHostPort). Thread-safe as a value.

#include <string>
#include <string_view>

#include "base/error.h"

namespace peerlock {

struct HostPort {
  std::string host;  // a name or an IP literal, without brackets
  int port = 0;      // 0 only for a listen address: the kernel picks a free port

  // "host:port", with brackets around an IPv6 literal.
  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
};

// Parses HOST:PORT. An empty host (":6432") means 127.0.0.1, so nothing is exposed to the
// network unless written out. The port must be 1-65535, or 0 when `allow_port_zero`.
// Errors are kInvalidArgument naming `what` ("--listen", "proxy.backend").
Result<HostPort> ParseHostPort(std::string_view text, const std::string& what,
                               bool allow_port_zero = false);

}  // namespace peerlock
