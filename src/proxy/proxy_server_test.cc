// The proxy against real TCP peers on loopback: a small backend that answers after the client
// half-closes, or never reads. Database clients through the proxy are in tests/proxy/.
#include "proxy/proxy_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "proxy/proxy_control.h"
#include "proxy/socket.h"
#include "support/running_proxy.h"

namespace peerlock {
namespace {

using testing::RunningProxy;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr auto kDeadline = std::chrono::seconds(20);

// A backend on a loopback port. Reading: answers each connection with `prefix` + everything
// the client sent, once the client half-closes, then closes. Not reading: accepts and holds.
class TestBackend {
 public:
  // `reads` false: reads nothing and waits to be closed. `hangs_up`: sends the prefix and
  // closes at once, like a server ending a session.
  explicit TestBackend(std::string prefix, bool reads = true, bool hangs_up = false)
      : prefix_(std::move(prefix)), reads_(reads), hangs_up_(hangs_up) {
    listen_ = std::move(ListenTcp({"127.0.0.1", 0}).value());
    port_ = BoundPort(listen_.get()).value();
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestBackend() {
    ::shutdown(listen_.get(), SHUT_RDWR);  // wakes the accept loop
    thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : workers_) t.join();
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  void AcceptLoop() {
    for (;;) {
      pollfd p{.fd = listen_.get(), .events = POLLIN};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR) return;
      int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return;
      }
      ++accepted_;
      std::lock_guard lock(mutex_);
      workers_.emplace_back([this, fd] { Serve(UniqueFd(fd)); });
    }
  }
  void Serve(UniqueFd fd) {
    // The accepted socket inherits non-blocking from the listener: make it blocking.
    int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    if (hangs_up_) {
      (void)!::send(fd.get(), prefix_.data(), prefix_.size(), MSG_NOSIGNAL);
      return;
    }
    if (!reads_) {
      // Waits, reading nothing, until the proxy closes or resets us.
      pollfd p{.fd = fd.get(), .events = POLLRDHUP};
      while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
      }
      return;
    }
    std::string got;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof(buffer))) > 0;) got.append(buffer, n);
    std::string reply = prefix_ + got;
    (void)!::send(fd.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  std::string prefix_;
  bool reads_, hangs_up_;
  UniqueFd listen_;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
};

UniqueFd ConnectTo(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0)
      << std::strerror(errno);
  return fd;
}

struct Received {
  std::string data;
  int error = 0;  // errno of a failed read (ECONNRESET when the proxy reset us)
};

// Reads until end of stream or an error; fails the test at the deadline instead of hanging.
Received ReadToEnd(int fd) {
  Received out;
  auto deadline = Clock::now() + kDeadline;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      ADD_FAILURE() << "no end of stream before the deadline";
      return out;
    }
    pollfd p{.fd = fd, .events = POLLIN};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      out.data.append(buffer, n);
    } else {
      out.error = n < 0 ? errno : 0;
      return out;
    }
  }
}

// Sends `message`, half-closes, and reads the whole answer.
Received Exchange(int port, const std::string& message) {
  UniqueFd fd = ConnectTo(port);
  EXPECT_EQ(::send(fd.get(), message.data(), message.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(message.size()));
  ::shutdown(fd.get(), SHUT_WR);
  return ReadToEnd(fd.get());
}

TEST(ProxyServer, ForwardsBothWaysAndPassesHalfCloseThrough) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port());
  std::string big(1 << 20, 'x');  // larger than every buffer on the way
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  Received got = Exchange(proxy.port(), big);
  EXPECT_EQ(got.error, 0);
  EXPECT_TRUE(got.data == "A:" + big) << "got " << got.data.size() << " bytes";
  ProxyStatus status = proxy.WaitFor([](const ProxyStatus& s) { return s.active == 0; });
  EXPECT_EQ(status.bytes_to_backend, static_cast<int64_t>(big.size()));
  EXPECT_EQ(status.bytes_to_client, static_cast<int64_t>(big.size() + 2));
  EXPECT_EQ(status.accepted, 1);
  EXPECT_EQ(status.state, ProxyState::kForwarding);
}

TEST(ProxyServer, HeldConnectionsWaitThenLandOnTheSwitchedBackend) {
  TestBackend a("A:"), b("B:");
  RunningProxy proxy(a.port());
  EXPECT_EQ(Exchange(proxy.port(), "1").data, "A:1");
  ASSERT_TRUE(proxy.control().Hold().has_value());
  Received held_result;
  std::thread held([&] { held_result = Exchange(proxy.port(), "2"); });
  proxy.WaitFor([](const ProxyStatus& s) { return s.held == 1; });
  auto switched = proxy.control().Switch({"127.0.0.1", b.port()});
  ASSERT_TRUE(switched.has_value()) << switched.error().ToString();
  EXPECT_EQ(switched->backend, "127.0.0.1:" + std::to_string(b.port()));
  EXPECT_EQ(switched->state, ProxyState::kHolding);
  EXPECT_EQ(b.accepted(), 0);  // still held
  ASSERT_TRUE(proxy.control().Release().has_value());
  held.join();
  EXPECT_EQ(held_result.data, "B:2");
  EXPECT_EQ(Exchange(proxy.port(), "3").data, "B:3");
  ProxyStatus status = proxy.WaitFor([](const ProxyStatus& s) { return s.active == 0; });
  EXPECT_EQ(status.switches, 1);
  EXPECT_EQ(a.accepted(), 1);
  EXPECT_EQ(status.state, ProxyState::kForwarding);
  // The state file follows the proxy for `peerlock status`.
  auto file = ReadProxyStateFile((proxy.dir() / "proxy.json").string());
  ASSERT_TRUE(file.has_value()) << file.error().ToString();
  EXPECT_EQ(file->backend, switched->backend);
}

TEST(ProxyServer, AHoldLongerThanTheHoldTimeoutResetsTheClient) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port(), /*hold_timeout=*/milliseconds(200));
  ASSERT_TRUE(proxy.control().Hold().has_value());
  UniqueFd fd = ConnectTo(proxy.port());
  ASSERT_EQ(::send(fd.get(), "x", 1, MSG_NOSIGNAL), 1);
  Received got = ReadToEnd(fd.get());  // an error, not a hang
  EXPECT_EQ(got.error, ECONNRESET);
  EXPECT_EQ(got.data, "");
  ProxyStatus status = proxy.WaitFor([](const ProxyStatus& s) { return s.hold_timeouts == 1; });
  EXPECT_EQ(status.held, 0);
  EXPECT_EQ(backend.accepted(), 0);
}

// With the database's protocol known, the held client is told why, in that protocol.
TEST(ProxyServer, AHeldPostgresClientGetsAnErrorResponse) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port(), milliseconds(200), milliseconds(5'000),
                     WireProtocol::kPostgres);
  ASSERT_TRUE(proxy.control().Hold().has_value());
  UniqueFd fd = ConnectTo(proxy.port());
  // An SSLRequest: length 8, code 80877103; libpq waits for the answer.
  const char ssl_request[] = {0, 0, 0, 8, 0x04, static_cast<char>(0xd2), 0x16, 0x2f};
  ASSERT_EQ(::send(fd.get(), ssl_request, sizeof ssl_request, MSG_NOSIGNAL), 8);
  Received got = ReadToEnd(fd.get());
  EXPECT_EQ(got.error, 0) << "closed cleanly, after the answer";
  ASSERT_GT(got.data.size(), 5u);
  EXPECT_EQ(got.data[0], 'E');
  const uint32_t length =
      (static_cast<uint8_t>(got.data[1]) << 24) | (static_cast<uint8_t>(got.data[2]) << 16) |
      (static_cast<uint8_t>(got.data[3]) << 8) | static_cast<uint8_t>(got.data[4]);
  EXPECT_EQ(length + 1, got.data.size()) << "one complete message";
  EXPECT_NE(got.data.find(std::string("C57P03\0", 7)), std::string::npos);
  EXPECT_NE(got.data.find("Mpeerlock proxy: the database is being switched"), std::string::npos);
  EXPECT_NE(got.data.find("200 ms, the proxy's hold_timeout"), std::string::npos);
  proxy.WaitFor([](const ProxyStatus& s) { return s.hold_timeouts == 1; });
  EXPECT_EQ(backend.accepted(), 0);
}

TEST(ProxyServer, AHeldMysqlClientGetsAnErrPacketInsteadOfTheGreeting) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port(), milliseconds(200), milliseconds(5'000), WireProtocol::kMysql);
  ASSERT_TRUE(proxy.control().Hold().has_value());
  UniqueFd fd = ConnectTo(proxy.port());  // a MySQL client sends nothing until greeted
  Received got = ReadToEnd(fd.get());
  EXPECT_EQ(got.error, 0);
  ASSERT_GT(got.data.size(), 7u);
  const uint32_t length = static_cast<uint8_t>(got.data[0]) |
                          (static_cast<uint8_t>(got.data[1]) << 8) |
                          (static_cast<uint8_t>(got.data[2]) << 16);
  EXPECT_EQ(length + 4, got.data.size()) << "one complete packet";
  EXPECT_EQ(got.data[3], 0) << "sequence id";
  EXPECT_EQ(static_cast<uint8_t>(got.data[4]), 0xff) << "an ERR packet";
  EXPECT_EQ(static_cast<uint8_t>(got.data[5]) | (static_cast<uint8_t>(got.data[6]) << 8), 1053);
  EXPECT_EQ(got.data.substr(7).rfind("peerlock proxy: the database is being switched", 0), 0u)
      << got.data.substr(7);
}

TEST(ProxyServer, DrainClosesInFlightConnectionsAfterTheGrace) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port(), milliseconds(10'000), /*grace=*/milliseconds(100));
  UniqueFd in_flight = ConnectTo(proxy.port());
  ASSERT_EQ(::send(in_flight.get(), "x", 1, MSG_NOSIGNAL), 1);  // never half-closes
  proxy.WaitFor([](const ProxyStatus& s) { return s.active == 1; });
  auto drained = proxy.control().Drain();
  ASSERT_TRUE(drained.has_value()) << drained.error().ToString();
  EXPECT_EQ(drained->state, ProxyState::kHolding);
  EXPECT_EQ(drained->active, 0);
  EXPECT_EQ(drained->drain_closed, 1);
  EXPECT_EQ(ReadToEnd(in_flight.get()).error, ECONNRESET);
}

// A backend that ends the session (a frozen PostgreSQL terminating it) takes the connection
// out of flight: the drain answers without waiting for its client to notice, or for the grace.
TEST(ProxyServer, DrainDoesNotWaitForClientsWhoseBackendEndedTheSession) {
  TestBackend backend("FATAL", /*reads=*/true, /*hangs_up=*/true);
  RunningProxy proxy(backend.port(), milliseconds(10'000), /*grace=*/milliseconds(60'000));
  UniqueFd idle = ConnectTo(proxy.port());  // sends nothing, never closes while draining
  proxy.WaitFor([](const ProxyStatus& s) { return s.active == 1; });
  auto drained = proxy.control().Drain();
  ASSERT_TRUE(drained.has_value()) << drained.error().ToString();
  EXPECT_EQ(drained->state, ProxyState::kHolding);
  EXPECT_EQ(drained->drain_closed, 0);
  EXPECT_EQ(ReadToEnd(idle.get()).data, "FATAL");  // what the backend said still arrives
}

TEST(ProxyServer, DrainLetsConnectionsThatFinishInTheGraceFinish) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port(), milliseconds(10'000), /*grace=*/milliseconds(60'000));
  UniqueFd fd = ConnectTo(proxy.port());
  ASSERT_EQ(::send(fd.get(), "late", 4, MSG_NOSIGNAL), 4);
  proxy.WaitFor([](const ProxyStatus& s) { return s.active == 1; });
  Result<ProxyStatus> drained = Fail(ErrorCode::kInternal, "not run");
  std::thread drain([&] { drained = proxy.control().Drain(); });
  proxy.WaitFor([](const ProxyStatus& s) { return s.state == ProxyState::kDraining; });
  ::shutdown(fd.get(), SHUT_WR);  // the client finishes its work during the grace
  EXPECT_EQ(ReadToEnd(fd.get()).data, "A:late");
  drain.join();
  ASSERT_TRUE(drained.has_value()) << drained.error().ToString();
  EXPECT_EQ(drained->drain_closed, 0);
  EXPECT_EQ(drained->state, ProxyState::kHolding);
}

TEST(ProxyServer, ASlowReaderStopsTheWriterInsteadOfGrowingBuffers) {
  TestBackend backend("", /*reads=*/false);
  RunningProxy proxy(backend.port());
  UniqueFd fd = ConnectTo(proxy.port());
  std::string chunk(64 * 1024, 'x');
  int64_t sent = 0;
  constexpr int64_t kUnbounded = 256LL << 20;
  // Writes until the socket stays full for a second: with backpressure that happens after the
  // kernel buffers fill; a proxy that buffers without bound would take everything.
  for (;;) {
    pollfd p{.fd = fd.get(), .events = POLLOUT};
    if (::poll(&p, 1, 1000) == 0) break;
    ssize_t n = ::send(fd.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ASSERT_TRUE(n > 0 || errno == EAGAIN) << std::strerror(errno);
    if (n > 0) sent += n;
    ASSERT_LT(sent, kUnbounded) << "the proxy kept accepting bytes nobody reads";
  }
  EXPECT_GT(sent, 0);
  ProxyStatus status = proxy.control().Status().value();
  EXPECT_LT(status.bytes_to_backend, sent);
}

TEST(ProxyServer, ReleaseEndsAPendingDrainWithAnError) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port(), milliseconds(10'000), /*grace=*/milliseconds(60'000));
  UniqueFd fd = ConnectTo(proxy.port());
  proxy.WaitFor([](const ProxyStatus& s) { return s.active == 1; });
  Result<ProxyStatus> drained = Fail(ErrorCode::kInternal, "not run");
  std::thread drain([&] { drained = proxy.control().Drain(); });
  proxy.WaitFor([](const ProxyStatus& s) { return s.state == ProxyState::kDraining; });
  ASSERT_TRUE(proxy.control().Release().has_value());
  drain.join();
  ASSERT_FALSE(drained.has_value());
  EXPECT_EQ(drained.error().code(), ErrorCode::kCancelled);
  EXPECT_EQ(proxy.control().Status().value().active, 1);  // the connection was left alone
}

TEST(ProxyServer, RefusesASecondProxyOnTheSameControlSocketAndBadSwitches) {
  TestBackend backend("A:");
  RunningProxy proxy(backend.port());
  auto second = ProxyServer::Open({.listen = {"127.0.0.1", 0},
                                   .backend = {"127.0.0.1", backend.port()},
                                   .control_path = (proxy.dir() / "proxy.sock").string()});
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message().find("already listens"), std::string::npos);
  auto bad = proxy.control().Switch({"no-such-host.invalid", 5432});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kConnection);
  EXPECT_NE(bad.error().message().find("no-such-host.invalid"), std::string::npos);
  EXPECT_EQ(proxy.control().Status().value().switches, 0);
}

TEST(ProxyServer, ABackendThatRefusesResetsTheClient) {
  int closed_port;
  {
    TestBackend gone("");
    closed_port = gone.port();
  }
  RunningProxy proxy(closed_port);
  Received got = Exchange(proxy.port(), "x");
  EXPECT_EQ(got.error, ECONNRESET);
  proxy.WaitFor([](const ProxyStatus& s) { return s.backend_failures == 1; });
}

TEST(ProxyControl, NamesTheSocketWhenNoProxyRuns) {
  auto status = ProxyControl("/tmp/peerlock-no-such-proxy.sock").Status();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code(), ErrorCode::kConnection);
  EXPECT_NE(status.error().message().find("/tmp/peerlock-no-such-proxy.sock"), std::string::npos);
  EXPECT_NE(status.error().hint().find("peerlock proxy"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
