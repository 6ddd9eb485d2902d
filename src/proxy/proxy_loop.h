#pragma once
// Internal to src/proxy: the event loop behind ProxyServer (see proxy_server.h for the
// behaviour). Owns every socket; everything runs on the thread that calls Run.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/error.h"
#include "proxy/control_protocol.h"
#include "proxy/pipe_buffer.h"
#include "proxy/proxy_server.h"
#include "proxy/proxy_status.h"
#include "proxy/socket.h"
#include "proxy/wire_frames.h"

namespace peerlock {

class ProxyLoop {
 public:
  ProxyLoop(ProxyOptions options, HostPort listen_address, UniqueFd listen, UniqueFd control,
            std::vector<SocketAddress> backend);
  ~ProxyLoop();

  // Serves until `wake_fd` (an eventfd) becomes readable or `cancel` is raised.
  Status Run(int wake_fd, const CancelFlag* cancel);

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase { kHeld, kConnecting, kOpen };
  // What an epoll event is about; the event's token is id * 8 + kind, and ids are never reused,
  // so an event for a connection closed earlier in the same batch finds nothing.
  enum Kind : uint64_t { kListen, kControlListen, kWake, kClient, kBackend, kControlClient };

  struct Connection {
    Phase phase = Phase::kHeld;
    UniqueFd client, backend;
    uint32_t client_events = 0, backend_events = 0;  // registered interest; 0 = not registered
    std::unique_ptr<PipeBuffer> up, down;            // client -> backend, backend -> client
    std::unique_ptr<WireFrames> frames;              // what the client was sent, as messages
    Clock::time_point deadline = Clock::time_point::max();
    std::vector<SocketAddress> addresses;  // the backend's, fixed when connecting starts
    size_t next_address = 0;
  };
  struct ControlClient {
    UniqueFd fd;
    uint32_t events = 0;  // registered interest
    std::string in, out;
    bool awaiting_drain = false;
  };

  void Watch(int fd, uint64_t token, uint32_t events, uint32_t& registered);
  void Accept();
  void StartConnecting(uint64_t id, Connection& c);
  void OnConnected(uint64_t id, Connection& c);
  void OnConnectionEvent(uint64_t id, Kind kind, uint32_t events);
  void UpdateInterest(uint64_t id, Connection& c);
  // `counter` names why (hold_timeouts, drain_closed, backend_failures); nullptr: none.
  void Close(uint64_t id, bool reset, int64_t* counter = nullptr);
  void ExpireDeadlines();
  // Tells a client held past the hold timeout why, in its protocol, and closes it.
  void RefuseHeld(uint64_t id);
  // Ends an in-flight connection when a drain's grace is over: tells the client why in its
  // protocol when the framing allows it (WireFrames), resets it otherwise.
  void EndInFlight(uint64_t id);
  // Sends `bytes` (a protocol's last word) to the client and closes the client's side; false
  // when they could not all be sent at once (the caller resets instead).
  bool SayGoodbye(Connection& c, const std::string& bytes);
  void AcceptControl();
  void OnControlEvent(uint64_t id, uint32_t events);
  Result<ProxyStatus> Execute(const ControlRequest& request);
  void Reply(uint64_t id, const Result<ProxyStatus>& reply);
  // Sends what is left of a reply; closes the client once all is sent.
  void Flush(uint64_t id);
  // Answers every client waiting for a drain.
  void AnswerDrains(const Result<ProxyStatus>& reply);
  void FinishDrainIfDone();
  int TimeoutMs() const;
  ProxyStatus Snapshot() const;
  void WriteState(bool now);
  void Shutdown();

  ProxyOptions options_;
  HostPort listen_address_;
  UniqueFd listen_, control_, epoll_;
  uint32_t listen_events_ = 0;
  std::vector<SocketAddress> backend_;
  std::map<uint64_t, Connection> connections_;
  std::map<uint64_t, ControlClient> controls_;
  uint64_t next_id_ = 1;
  ProxyState state_ = ProxyState::kForwarding;
  ProxyStatus stats_;  // counters; the rest is filled by Snapshot
  bool dirty_ = false;
  Clock::time_point last_write_{};
};

}  // namespace peerlock
