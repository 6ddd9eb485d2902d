#pragma once
// The proxy's control protocol, spoken over its Unix socket: one request line, one reply line,
// then the proxy closes the connection. Both are JSON objects:
//   request  {"op": "status" | "hold" | "drain" | "release"}
//            {"op": "switch", "backend": "HOST:PORT"}
//   reply    {"ok": true, "status": {...ProxyStatusToJson...}}
//            {"ok": false, "error": {"code": "...", "message": "...", "hint": "..."}}
// A drain is answered once no connection is in flight any more. Pure functions, thread-safe.

#include <optional>
#include <string>

#include "base/error.h"
#include "proxy/host_port.h"
#include "proxy/proxy_status.h"

namespace peerlock {

enum class ControlOp { kStatus, kHold, kDrain, kSwitch, kRelease };

struct ControlRequest {
  ControlOp op = ControlOp::kStatus;
  std::optional<HostPort> backend;  // kSwitch only
};

// Longest request line the proxy reads; anything longer is refused.
inline constexpr size_t kMaxControlLine = 4096;

std::string EncodeControlRequest(const ControlRequest& request);
// kInvalidArgument naming what is wrong with the line.
Result<ControlRequest> DecodeControlRequest(const std::string& line);

std::string EncodeControlReply(const Result<ProxyStatus>& reply);
Result<ProxyStatus> DecodeControlReply(const std::string& line);

}  // namespace peerlock
