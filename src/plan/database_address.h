#pragma once
// The TCP address of a plan's database (what applications reach, so what the proxy forwards
// to): the URL's host and port, with the dialect's default port. Pure; thread-safe.

#include <string>

#include "base/error.h"
#include "plan/plan.h"
#include "proxy/host_port.h"

namespace peerlock {

// kInvalidArgument naming `role` ("source", "target") when the URL has no TCP host (SQLite
// files, Unix sockets).
Result<HostPort> DatabaseAddress(const EndpointSpec& endpoint, const std::string& role);

}  // namespace peerlock
