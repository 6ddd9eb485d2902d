#include "proxy/proxy_control.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proxy/socket.h"

namespace peerlock {

Result<ProxyStatus> ProxyControl::Call(const ControlRequest& request,
                                       std::chrono::milliseconds extra_wait) const {
  using Clock = std::chrono::steady_clock;
  auto fail = [&](const std::string& what) {
    return Fail(Error(ErrorCode::kConnection, "proxy control " + path_ + ": " + what)
                    .WithHint("is `peerlock proxy` running with this plan or state directory?"));
  };
  PL_ASSIGN(UniqueFd fd, ConnectUnix(path_));
  std::string line = EncodeControlRequest(request);
  if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    return fail(std::string("cannot send the request: ") + std::strerror(errno));
  const Clock::time_point deadline = Clock::now() + timeout_ + extra_wait;
  std::string reply;
  char chunk[4096];
  while (reply.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return fail("no reply in time");
    pollfd p{.fd = fd.get(), .events = POLLIN};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return fail(std::string("poll: ") + std::strerror(errno));
    if (ready <= 0) continue;
    ssize_t n = ::read(fd.get(), chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("the proxy closed the connection without a reply");
    reply.append(chunk, static_cast<size_t>(n));
  }
  return DecodeControlReply(reply.substr(0, reply.find('\n')));
}

}  // namespace peerlock
