#pragma once
// Thin, error-returning wrappers over the POSIX socket calls the proxy needs. Every socket is
// non-blocking and close-on-exec. Thread-safe (no shared state); a UniqueFd is owned by one
// thread at a time.

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "proxy/host_port.h"

namespace peerlock {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// One resolved address of a HostPort.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// Resolves `address` (getaddrinfo; blocks on DNS). kConnection naming the host when it has no
// address.
Result<std::vector<SocketAddress>> Resolve(const HostPort& address);

// A listening TCP socket on `address` (SO_REUSEADDR). kIo naming the address when it is in use.
Result<UniqueFd> ListenTcp(const HostPort& address, int backlog = 512);
// The port a listening socket is bound to (for port 0).
Result<int> BoundPort(int fd);
// Starts a non-blocking connect; the socket becomes writable when it completes, and
// ConnectResult then tells how it went.
Result<UniqueFd> StartConnect(const SocketAddress& address);
Status ConnectResult(int fd);

// A listening Unix stream socket at `path`, mode 0600, replacing a stale socket file (one no
// process listens on). kIo when the path is too long, in use or not writable.
Result<UniqueFd> ListenUnix(const std::string& path);
// A blocking connection to the Unix socket at `path`.
Result<UniqueFd> ConnectUnix(const std::string& path);

// Closes `fd` with a TCP reset (SO_LINGER 0): the peer sees an error at once, not an orderly
// end it could mistake for success.
void CloseWithReset(UniqueFd& fd);

}  // namespace peerlock
