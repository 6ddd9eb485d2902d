#include "proxy/proxy_server.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proxy/proxy_loop.h"
#include "proxy/socket.h"

namespace peerlock {

ProxyServer::~ProxyServer() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Result<std::unique_ptr<ProxyServer>> ProxyServer::Open(ProxyOptions options) {
  if (options.buffer_bytes == 0 || options.max_connections <= 0)
    return Fail(ErrorCode::kInvalidArgument, "proxy buffer and connection limit must be positive");
  PL_ASSIGN(std::vector<SocketAddress> backend,
            WithContext(Resolve(options.backend), "the proxy's backend"));
  PL_ASSIGN(UniqueFd listen, ListenTcp(options.listen));
  PL_ASSIGN(int port, BoundPort(listen.get()));
  UniqueFd control;
  if (!options.control_path.empty()) {
    PL_ASSIGN(control, ListenUnix(options.control_path));
  }
  auto server = std::unique_ptr<ProxyServer>(new ProxyServer());
  server->listen_address_ = HostPort{.host = options.listen.host, .port = port};
  server->wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (server->wake_fd_ < 0)
    return Fail(ErrorCode::kIo, std::string("eventfd: ") + std::strerror(errno));
  server->loop_ =
      std::make_unique<ProxyLoop>(std::move(options), server->listen_address_, std::move(listen),
                                  std::move(control), std::move(backend));
  return server;
}

Status ProxyServer::Run(const CancelFlag* cancel) { return loop_->Run(wake_fd_, cancel); }

void ProxyServer::Stop() {
  uint64_t one = 1;
  // A full counter still wakes the loop, so a failed write needs no handling.
  (void)!::write(wake_fd_, &one, sizeof(one));
}

}  // namespace peerlock
