#pragma once
// The client side of a running proxy's control socket: what `peerlock proxy --status` and the
// cutover state machine call. Each call opens the socket, sends one request, waits for the
// reply (bounded by a deadline) and closes it. Blocks; thread-safe (no shared state).
//
//   ProxyControl proxy(DefaultControlSocketPath(state_dir));
//   PL_TRY(proxy.Drain());               // hold new connections, end in-flight ones
//   PL_TRY(proxy.Switch(new_backend));   // new connections go to the new backend
//   PL_TRY(proxy.Release());             // held connections proceed, to the new backend

#include <chrono>
#include <string>

#include "base/error.h"
#include "proxy/control_protocol.h"
#include "proxy/proxy_status.h"

namespace peerlock {

class ProxyControl {
 public:
  // `timeout` bounds each call (besides a drain's wait); kConnection when no proxy answers.
  explicit ProxyControl(std::string socket_path,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : path_(std::move(socket_path)), timeout_(timeout) {}

  Result<ProxyStatus> Status() const { return Call({.op = ControlOp::kStatus}); }
  // New connections wait (each at most the proxy's hold_timeout); in-flight ones continue.
  Result<ProxyStatus> Hold() const { return Call({.op = ControlOp::kHold}); }
  // Holds, then gives in-flight connections the proxy's grace to finish and closes the rest.
  // Returns once none is in flight, waiting at most `max_wait` beyond the call's timeout.
  Result<ProxyStatus> Drain(std::chrono::milliseconds max_wait = std::chrono::minutes(5)) const {
    return Call({.op = ControlOp::kDrain}, max_wait);
  }
  // New (and released) connections go to `backend`; in-flight ones stay where they are.
  Result<ProxyStatus> Switch(const HostPort& backend) const {
    return Call({.op = ControlOp::kSwitch, .backend = backend});
  }
  // Held connections proceed to the current backend; new ones are forwarded again.
  Result<ProxyStatus> Release() const { return Call({.op = ControlOp::kRelease}); }

 private:
  Result<ProxyStatus> Call(const ControlRequest& request,
                           std::chrono::milliseconds extra_wait = {}) const;

  std::string path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace peerlock
