#pragma once
// Named fault points for crash tests (RocksDB's sync points, reduced to what we need): the
// environment variable PEERLOCK_FAULT="name:N" makes the N-th hit of point `name` kill the
// process with SIGKILL, exactly where a real crash could happen; "name:N:TERM" sends it SIGTERM
// instead (an operator's stop arriving at exactly that point) and carries on. Unset, a hit costs
// one relaxed atomic load. Thread-safe.

#include <string_view>

namespace peerlock {

// Counts a hit of `name`; SIGKILLs this process on the configured hit.
void FaultPoint(std::string_view name);

}  // namespace peerlock
