#pragma once
// `peerlock proxy`: a TCP proxy applications connect through, so that a cutover can hold new
// connections, end in-flight ones and point at a new backend without touching the
// applications. It never looks inside the bytes, so it serves PostgreSQL, MariaDB and TLS alike.
//
// One thread runs everything: a level-triggered epoll loop over the listening socket, the
// control socket (control_protocol.h) and every connection's two sockets. Each direction of a
// connection has a fixed buffer (PipeBuffer), so memory is bounded by max_connections and a
// slow side slows the other through TCP. Half-closes pass through.
//
// Threading: Open and Run on one thread; Stop and listen_address from any thread.

#include <sys/eventfd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "base/cancel.h"
#include "base/error.h"
#include "proxy/host_port.h"
#include "proxy/wire_refusal.h"

namespace peerlock {

class ProxyLoop;

struct ProxyOptions {
  HostPort listen;   // port 0: the kernel picks one (see listen_address)
  HostPort backend;  // resolved at Open and at every switch
  std::chrono::milliseconds hold_timeout{10'000};     // a held connection is then reset
  std::chrono::milliseconds grace{5'000};             // a drain resets in-flight ones after it
  std::chrono::milliseconds connect_timeout{10'000};  // to reach the backend
  std::string control_path;                           // Unix socket for ProxyControl; empty: none
  std::string state_file;           // proxy.json rewritten on every change; empty: none
  size_t buffer_bytes = 16 * 1024;  // per direction per connection
  int max_connections = 4096;       // beyond it, accepting pauses (the kernel backlog waits)
  // How a client held past hold_timeout is told so (wire_refusal.h); kRaw: reset.
  WireProtocol protocol = WireProtocol::kRaw;
};

class ProxyServer {
 public:
  // Binds the listening and control sockets and resolves the backend, so that a wrong address
  // fails here, before anyone relies on the proxy.
  static Result<std::unique_ptr<ProxyServer>> Open(ProxyOptions options);
  ~ProxyServer();

  // The address actually listened on (with the picked port when options.listen.port was 0).
  HostPort listen_address() const { return listen_address_; }

  // Serves until Stop() or until `cancel` is raised (checked at least every 250 ms), then
  // resets every connection, removes the control socket and marks the state file stopped.
  Status Run(const CancelFlag* cancel = nullptr);
  // Makes Run return soon. Thread-safe.
  void Stop();

 private:
  ProxyServer() = default;

  HostPort listen_address_;
  std::unique_ptr<ProxyLoop> loop_;
  int wake_fd_ = -1;
};

}  // namespace peerlock
