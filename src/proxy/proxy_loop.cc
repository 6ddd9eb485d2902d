#include "proxy/proxy_loop.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/time_text.h"

namespace peerlock {
namespace {

constexpr uint64_t Token(uint64_t id, uint64_t kind) { return id * 8 + kind; }
constexpr uint32_t kIn = EPOLLIN;
constexpr uint32_t kOut = EPOLLOUT;
// The longest the loop sleeps, so a raised cancel flag is seen promptly.
constexpr int kMaxWaitMs = 250;
// How often counters alone (bytes, connection counts) refresh the state file.
constexpr auto kStateFileInterval = std::chrono::seconds(1);

}  // namespace

ProxyLoop::ProxyLoop(ProxyOptions options, HostPort listen_address, UniqueFd listen,
                     UniqueFd control, std::vector<SocketAddress> backend)
    : options_(std::move(options)),
      listen_address_(std::move(listen_address)),
      listen_(std::move(listen)),
      control_(std::move(control)),
      backend_(std::move(backend)) {
  stats_.pid = ::getpid();
  stats_.started_at = NowUtc();
}

ProxyLoop::~ProxyLoop() = default;

void ProxyLoop::Watch(int fd, uint64_t token, uint32_t events, uint32_t& registered) {
  if (events == registered) return;
  epoll_event event{.events = events, .data = {.u64 = token}};
  // Interest 0 unregisters: a socket with nothing to do must not report HUP over and over.
  int op = registered == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0)
    PL_LOG_ERROR("proxy: epoll_ctl: {}", std::strerror(errno));
  registered = events;
}

Status ProxyLoop::Run(int wake_fd, const CancelFlag* cancel) {
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) return Fail(ErrorCode::kIo, std::string("epoll_create1: ") + std::strerror(errno));
  Watch(listen_.get(), Token(0, kListen), EPOLLIN, listen_events_);
  uint32_t control_events = 0, wake_events = 0;
  if (control_) Watch(control_.get(), Token(0, kControlListen), EPOLLIN, control_events);
  Watch(wake_fd, Token(0, kWake), EPOLLIN, wake_events);
  WriteState(true);
  PL_LOG_INFO("proxy: listening on {}, forwarding to {}", listen_address_.ToString(),
              options_.backend.ToString());

  epoll_event events[128];
  bool stopping = false;
  while (!stopping && !(cancel && cancel->Cancelled())) {
    int n = ::epoll_wait(epoll_.get(), events, std::size(events), TimeoutMs());
    if (n < 0 && errno != EINTR) {
      Shutdown();
      return Fail(ErrorCode::kIo, std::string("epoll_wait: ") + std::strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64 / 8;
      auto kind = static_cast<Kind>(events[i].data.u64 % 8);
      switch (kind) {
        case kListen: Accept(); break;
        case kControlListen: AcceptControl(); break;
        case kWake: stopping = true; break;
        case kClient:
        case kBackend: OnConnectionEvent(id, kind, events[i].events); break;
        case kControlClient: OnControlEvent(id, events[i].events); break;
      }
    }
    ExpireDeadlines();
    FinishDrainIfDone();
    bool room = static_cast<int>(connections_.size()) < options_.max_connections;
    Watch(listen_.get(), Token(0, kListen), room ? kIn : 0, listen_events_);
    WriteState(false);
  }
  Shutdown();
  return {};
}

void ProxyLoop::Accept() {
  for (;;) {
    if (static_cast<int>(connections_.size()) >= options_.max_connections) return;
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        PL_LOG_WARN("proxy: accept: {}", std::strerror(errno));
      return;
    }
    uint64_t id = next_id_++;
    Connection& c = connections_[id];
    c.client = UniqueFd(fd);
    ++stats_.accepted;
    dirty_ = true;
    if (state_ == ProxyState::kForwarding) {
      StartConnecting(id, c);
    } else {
      c.deadline = Clock::now() + options_.hold_timeout;
      Watch(c.client.get(), Token(id, kClient), EPOLLRDHUP, c.client_events);
    }
  }
}

void ProxyLoop::StartConnecting(uint64_t id, Connection& c) {
  if (c.phase == Phase::kHeld) {
    c.phase = Phase::kConnecting;
    c.addresses = backend_;
    c.next_address = 0;
    c.deadline = Clock::now() + options_.connect_timeout;
    // The client is only watched for going away until the backend answers.
    Watch(c.client.get(), Token(id, kClient), EPOLLRDHUP, c.client_events);
  }
  while (c.next_address < c.addresses.size()) {
    auto fd = StartConnect(c.addresses[c.next_address++]);
    if (!fd) continue;
    if (c.backend) Watch(c.backend.get(), Token(id, kBackend), 0, c.backend_events);
    c.backend = std::move(*fd);
    Watch(c.backend.get(), Token(id, kBackend), EPOLLOUT, c.backend_events);
    return;
  }
  PL_LOG_WARN("proxy: cannot connect to the backend {}; closing the client",
              options_.backend.ToString());
  Close(id, /*reset=*/true, &stats_.backend_failures);
}

void ProxyLoop::OnConnected(uint64_t id, Connection& c) {
  if (auto status = ConnectResult(c.backend.get()); !status) {
    StartConnecting(id, c);  // the next address, or give up
    return;
  }
  c.phase = Phase::kOpen;
  // An open connection has no deadline unless a drain gives it one.
  c.deadline =
      state_ == ProxyState::kDraining ? Clock::now() + options_.grace : Clock::time_point::max();
  c.up = std::make_unique<PipeBuffer>(options_.buffer_bytes);
  c.down = std::make_unique<PipeBuffer>(options_.buffer_bytes);
  if (options_.protocol != WireProtocol::kRaw) {
    c.frames = std::make_unique<WireFrames>(options_.protocol);
    WireFrames* frames = c.frames.get();
    c.up->Observe([frames](std::string_view bytes) { frames->Upstream(bytes); });
    c.down->Observe([frames](std::string_view bytes) { frames->Downstream(bytes); });
  }
  dirty_ = true;
  OnConnectionEvent(id, kBackend, EPOLLIN);
}

void ProxyLoop::OnConnectionEvent(uint64_t id, Kind kind, uint32_t events) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;  // closed earlier in this batch
  Connection& c = it->second;
  if (c.phase != Phase::kOpen) {
    if (kind == kClient) {
      // A reset or closed client is gone; a half-closed one may still want its answer, so it
      // stays and is only no longer watched.
      if (events & (EPOLLERR | EPOLLHUP)) return Close(id, /*reset=*/false);
      Watch(c.client.get(), Token(id, kClient), 0, c.client_events);
    } else if (c.phase == Phase::kConnecting) {
      OnConnected(id, c);
    }
    return;
  }
  if (events & EPOLLERR) return Close(id, /*reset=*/true);
  if (auto up = c.up->Pump(c.client.get(), c.backend.get(), stats_.bytes_to_backend); !up)
    return Close(id, /*reset=*/true);
  if (auto down = c.down->Pump(c.backend.get(), c.client.get(), stats_.bytes_to_client); !down)
    return Close(id, /*reset=*/true);
  if (c.up->Finished() && c.down->Finished()) return Close(id, /*reset=*/false);
  UpdateInterest(id, c);
}

void ProxyLoop::UpdateInterest(uint64_t id, Connection& c) {
  uint32_t client = (c.up->WantsRead() ? kIn : 0) | (c.down->WantsWrite() ? kOut : 0);
  uint32_t backend = (c.down->WantsRead() ? kIn : 0) | (c.up->WantsWrite() ? kOut : 0);
  Watch(c.client.get(), Token(id, kClient), client, c.client_events);
  Watch(c.backend.get(), Token(id, kBackend), backend, c.backend_events);
}

void ProxyLoop::Close(uint64_t id, bool reset, int64_t* counter) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  // Closing a descriptor removes it from the epoll set by itself.
  if (reset) {
    CloseWithReset(c.client);
    CloseWithReset(c.backend);
  }
  connections_.erase(it);
  if (counter) ++*counter;
  dirty_ = true;
}

void ProxyLoop::ExpireDeadlines() {
  Clock::time_point now = Clock::now();
  std::vector<uint64_t> expired;
  for (const auto& [id, c] : connections_)
    if (c.deadline <= now) expired.push_back(id);
  for (uint64_t id : expired) {
    switch (connections_[id].phase) {
      case Phase::kHeld:
        PL_LOG_WARN("proxy: a connection was held for {} ms, the hold timeout; refusing it",
                    options_.hold_timeout.count());
        RefuseHeld(id);
        break;
      case Phase::kConnecting:
        if (state_ == ProxyState::kDraining) {
          Close(id, /*reset=*/true, &stats_.drain_closed);
        } else {
          PL_LOG_WARN("proxy: the backend {} did not answer in {} ms", options_.backend.ToString(),
                      options_.connect_timeout.count());
          Close(id, /*reset=*/true, &stats_.backend_failures);
        }
        break;
      case Phase::kOpen: EndInFlight(id); break;
    }
  }
}

bool ProxyLoop::SayGoodbye(Connection& c, const std::string& bytes) {
  // What the client sent is read first: closing a socket with unread input resets it, and the
  // client would lose the goodbye.
  char scratch[4096];
  while (::recv(c.client.get(), scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }
  // A few dozen bytes: sent at once unless the client stopped reading long ago.
  ssize_t sent = ::send(c.client.get(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent != static_cast<ssize_t>(bytes.size())) return false;
  ::shutdown(c.client.get(), SHUT_WR);
  return true;
}

void ProxyLoop::RefuseHeld(uint64_t id) {
  Connection& c = connections_[id];
  const std::string refusal = WireRefusal(
      options_.protocol,
      fmt::format("peerlock proxy: the database is being switched (cutover or rollback) and this "
                  "connection waited {} ms, the proxy's hold_timeout; connect again",
                  options_.hold_timeout.count()));
  // A client gone already is closed all the same.
  if (!refusal.empty()) (void)SayGoodbye(c, refusal);
  Close(id, /*reset=*/refusal.empty(), &stats_.hold_timeouts);
}

void ProxyLoop::EndInFlight(uint64_t id) {
  Connection& c = connections_[id];
  const std::string goodbye =
      c.frames ? c.frames->Termination(fmt::format(
                     "peerlock proxy: the database is being switched (cutover or rollback); this "
                     "session was still open {} ms after the switch began (the proxy's grace) and "
                     "is closed, its open transaction rolled back; connect again",
                     options_.grace.count()))
               : "";
  if (goodbye.empty() || !SayGoodbye(c, goodbye))
    return Close(id, /*reset=*/true, &stats_.drain_closed);
  CloseWithReset(c.backend);  // the old backend ends the session and rolls back
  Close(id, /*reset=*/false, &stats_.drain_closed);
}

void ProxyLoop::FinishDrainIfDone() {
  if (state_ != ProxyState::kDraining) return;
  // A connection whose backend has ended its side (a frozen PostgreSQL ends the sessions) is no
  // longer in flight: nothing can reach the old backend through it, whenever its client notices.
  for (const auto& [id, c] : connections_)
    if (c.phase != Phase::kHeld && !(c.phase == Phase::kOpen && c.down->Finished())) return;
  state_ = ProxyState::kHolding;
  dirty_ = true;
  PL_LOG_INFO("proxy: drained; holding new connections");
  AnswerDrains(Snapshot());
}

int ProxyLoop::TimeoutMs() const {
  Clock::time_point next = Clock::time_point::max();
  for (const auto& [id, c] : connections_) next = std::min(next, c.deadline);
  if (next == Clock::time_point::max()) return kMaxWaitMs;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, kMaxWaitMs));
}

ProxyStatus ProxyLoop::Snapshot() const {
  ProxyStatus s = stats_;
  s.state = state_;
  s.listen = listen_address_.ToString();
  s.backend = options_.backend.ToString();
  s.control = options_.control_path;
  s.updated_at = NowUtc();
  s.active = s.held = 0;
  for (const auto& [id, c] : connections_) ++(c.phase == Phase::kHeld ? s.held : s.active);
  return s;
}

void ProxyLoop::WriteState(bool now) {
  if (options_.state_file.empty() || !dirty_) return;
  if (!now && Clock::now() - last_write_ < kStateFileInterval) return;
  if (auto written = WriteProxyStateFile(options_.state_file, Snapshot()); !written)
    PL_LOG_WARN("proxy: {}", written.error().ToString());  // serving matters more than the file
  dirty_ = false;
  last_write_ = Clock::now();
}

void ProxyLoop::Shutdown() {
  while (!connections_.empty()) Close(connections_.begin()->first, /*reset=*/true);
  AnswerDrains(Fail(ErrorCode::kCancelled, "the proxy stopped before the drain finished"));
  controls_.clear();
  if (control_) ::unlink(options_.control_path.c_str());
  stats_.stopped = true;
  dirty_ = true;
  WriteState(true);
  PL_LOG_INFO("proxy: stopped");
}

}  // namespace peerlock
