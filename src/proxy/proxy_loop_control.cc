// ProxyLoop's control socket: hold, drain, switch, release and status (control_protocol.h).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/log.h"
#include "proxy/proxy_loop.h"

namespace peerlock {
namespace {

constexpr uint64_t Token(uint64_t id, uint64_t kind) { return id * 8 + kind; }

}  // namespace

void ProxyLoop::AcceptControl() {
  for (;;) {
    int fd = ::accept4(control_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    uint64_t id = next_id_++;
    ControlClient& client = controls_[id];
    client.fd = UniqueFd(fd);
    Watch(fd, Token(id, kControlClient), EPOLLIN, client.events);
  }
}

void ProxyLoop::OnControlEvent(uint64_t id, uint32_t events) {
  auto it = controls_.find(id);
  if (it == controls_.end()) return;
  ControlClient& client = it->second;
  if (!client.out.empty()) return Flush(id);
  if (client.awaiting_drain) {
    // Nothing more is read while a drain is pending; a client that gave up is dropped.
    if (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) controls_.erase(it);
    return;
  }
  char chunk[1024];
  ssize_t n = ::read(client.fd.get(), chunk, sizeof(chunk));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    controls_.erase(it);
    return;
  }
  client.in.append(chunk, static_cast<size_t>(n));
  size_t newline = client.in.find('\n');
  if (newline == std::string::npos) {
    if (client.in.size() > kMaxControlLine)
      Reply(id, Fail(ErrorCode::kInvalidArgument, "control request line too long"));
    return;
  }
  auto request = DecodeControlRequest(client.in.substr(0, newline));
  if (!request) return Reply(id, Fail(std::move(request.error())));
  if (request->op == ControlOp::kDrain) {
    client.awaiting_drain = true;  // answered by FinishDrainIfDone
    Watch(client.fd.get(), Token(id, kControlClient), EPOLLRDHUP, client.events);
  }
  Result<ProxyStatus> reply = Execute(*request);
  if (!client.awaiting_drain) Reply(id, reply);
}

Result<ProxyStatus> ProxyLoop::Execute(const ControlRequest& request) {
  auto now = Clock::now();
  switch (request.op) {
    case ControlOp::kStatus: break;
    case ControlOp::kHold:
      if (state_ == ProxyState::kForwarding) {
        state_ = ProxyState::kHolding;
        PL_LOG_INFO("proxy: holding new connections");
      }
      break;
    case ControlOp::kDrain:
      if (state_ != ProxyState::kDraining) {
        state_ = ProxyState::kDraining;
        PL_LOG_INFO("proxy: draining: holding new connections, closing in-flight ones in {} ms",
                    options_.grace.count());
        for (auto& [id, c] : connections_)
          if (c.phase != Phase::kHeld) c.deadline = std::min(c.deadline, now + options_.grace);
      }
      break;
    case ControlOp::kSwitch: {
      if (!request.backend) return Fail(ErrorCode::kInvalidArgument, "switch needs a backend");
      auto addresses = Resolve(*request.backend);
      if (!addresses) return Fail(std::move(addresses.error().Context("switch")));
      PL_LOG_INFO("proxy: switching the backend from {} to {}", options_.backend.ToString(),
                  request.backend->ToString());
      options_.backend = *request.backend;
      backend_ = std::move(*addresses);
      ++stats_.switches;
      break;
    }
    case ControlOp::kRelease: {
      bool was_draining = state_ == ProxyState::kDraining;
      state_ = ProxyState::kForwarding;
      std::vector<uint64_t> held;
      for (auto& [id, c] : connections_) {
        if (c.phase == Phase::kHeld)
          held.push_back(id);
        else if (was_draining)
          c.deadline = Clock::time_point::max();  // the drain is off
      }
      PL_LOG_INFO("proxy: releasing {} held connection(s) to {}", held.size(),
                  options_.backend.ToString());
      for (uint64_t id : held) StartConnecting(id, connections_[id]);
      AnswerDrains(Fail(Error(ErrorCode::kCancelled, "a release ended the drain before it finished")
                            .WithHint("drain again if in-flight connections must be closed")));
      break;
    }
  }
  dirty_ = true;
  WriteState(true);
  return Snapshot();
}

void ProxyLoop::Reply(uint64_t id, const Result<ProxyStatus>& reply) {
  auto it = controls_.find(id);
  if (it == controls_.end()) return;
  it->second.awaiting_drain = false;
  it->second.out = EncodeControlReply(reply);
  Flush(id);
}

void ProxyLoop::AnswerDrains(const Result<ProxyStatus>& reply) {
  std::vector<uint64_t> waiting;
  for (const auto& [id, client] : controls_)
    if (client.awaiting_drain) waiting.push_back(id);
  for (uint64_t id : waiting) Reply(id, reply);
}

void ProxyLoop::Flush(uint64_t id) {
  ControlClient& client = controls_.at(id);
  ssize_t n = ::send(client.fd.get(), client.out.data(), client.out.size(), MSG_NOSIGNAL);
  if (n > 0) client.out.erase(0, static_cast<size_t>(n));
  if (client.out.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    controls_.erase(id);  // one request per connection: done
    return;
  }
  Watch(client.fd.get(), Token(id, kControlClient), EPOLLOUT, client.events);
}

}  // namespace peerlock
