#include "proxy/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace peerlock {
namespace {

Error IoError(ErrorCode code, const std::string& what) {
  return Error(code, what + ": " + std::strerror(errno));
}

Result<UniqueFd> NewSocket(int family) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail(IoError(ErrorCode::kIo, "cannot create a socket"));
  return UniqueFd(fd);
}

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path))
    return Fail(Error(ErrorCode::kIo, "the control socket path " + path + " is longer than " +
                                          std::to_string(sizeof(address.sun_path) - 1) +
                                          " bytes, the most a Unix socket path can have")
                    .WithHint("set a shorter path with proxy.control in the plan or --control"));
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) Reset(std::exchange(other.fd_, -1));
  return *this;
}

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<std::vector<SocketAddress>> Resolve(const HostPort& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(address.port);
  int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0)
    return Fail(Error(ErrorCode::kConnection,
                      "cannot resolve " + address.ToString() + ": " + ::gai_strerror(rc))
                    .WithHint("check the host name, or write an IP address"));
  std::vector<SocketAddress> out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    SocketAddress one;
    std::memcpy(&one.storage, a->ai_addr, a->ai_addrlen);
    one.length = a->ai_addrlen;
    out.push_back(one);
  }
  ::freeaddrinfo(found);
  return out;
}

Result<UniqueFd> ListenTcp(const HostPort& address, int backlog) {
  PL_ASSIGN(std::vector<SocketAddress> addresses, Resolve(address));
  Error last(ErrorCode::kIo, "no address to listen on for " + address.ToString());
  for (const SocketAddress& a : addresses) {
    PL_ASSIGN(UniqueFd fd, NewSocket(a.storage.ss_family));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) == 0 &&
        ::listen(fd.get(), backlog) == 0)
      return fd;
    last = IoError(ErrorCode::kIo, "cannot listen on " + address.ToString());
    last.WithHint(errno == EADDRINUSE ? "another process listens there: stop it or choose "
                                        "another port with --listen or proxy.listen"
                                      : "check the address is one of this machine's");
  }
  return Fail(std::move(last));
}

Result<int> BoundPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return Fail(IoError(ErrorCode::kIo, "getsockname"));
  if (storage.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

Result<UniqueFd> StartConnect(const SocketAddress& address) {
  PL_ASSIGN(UniqueFd fd, NewSocket(address.storage.ss_family));
  int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length);
  if (rc != 0 && errno != EINPROGRESS) return Fail(IoError(ErrorCode::kConnection, "connect"));
  return fd;
}

Status ConnectResult(int fd) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error == 0) return {};
  return Fail(ErrorCode::kConnection, std::strerror(error));
}

Result<UniqueFd> ListenUnix(const std::string& path) {
  PL_ASSIGN(sockaddr_un address, UnixAddress(path));
  // A socket file left by a killed proxy would make bind fail; one a live proxy still listens
  // on must not be taken over.
  if (std::filesystem::is_socket(path)) {
    if (ConnectUnix(path))
      return Fail(Error(ErrorCode::kIo, "a proxy already listens on the control socket " + path)
                      .WithHint("stop that proxy first, or give this one another state "
                                "directory or proxy.control path"));
    ::unlink(path.c_str());
  }
  PL_ASSIGN(UniqueFd fd, NewSocket(AF_UNIX));
  // The socket's mode comes from the umask at bind time; 0600 keeps other users out of it.
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  ::umask(old_mask);
  if (rc != 0 || ::listen(fd.get(), 16) != 0)
    return Fail(IoError(ErrorCode::kIo, "cannot listen on the control socket " + path)
                    .WithHint("check the state directory exists and is writable"));
  return fd;
}

Result<UniqueFd> ConnectUnix(const std::string& path) {
  PL_ASSIGN(sockaddr_un address, UnixAddress(path));
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail(IoError(ErrorCode::kIo, "cannot create a socket"));
  UniqueFd owned(fd);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
    return Fail(IoError(ErrorCode::kConnection, "cannot reach the proxy at " + path)
                    .WithHint("is `peerlock proxy` running with this plan or state directory?"));
  return owned;
}

void CloseWithReset(UniqueFd& fd) {
  if (!fd) return;
  linger option{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  fd.Reset();
}

}  // namespace peerlock
