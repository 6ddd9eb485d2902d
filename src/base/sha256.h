#pragma once
// SHA-256 as lowercase hex, for mask hashes, migration keys and the audit chain. Thread-safe.

#include <string>
#include <string_view>

namespace peerlock {

std::string Sha256Hex(std::string_view bytes);

}  // namespace peerlock
