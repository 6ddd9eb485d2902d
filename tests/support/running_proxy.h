#pragma once
// A ProxyServer served on a thread of the test, with its control socket and state file in a
// fresh temporary directory; stopped, joined and removed on destruction. Shared by the unit
// tests (src/proxy/proxy_server_test.cc) and the server tests (tests/proxy/).

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "proxy/proxy_control.h"
#include "proxy/proxy_server.h"

namespace peerlock::testing {

class RunningProxy {
 public:
  explicit RunningProxy(int backend_port,
                        std::chrono::milliseconds hold_timeout = std::chrono::seconds(10),
                        std::chrono::milliseconds grace = std::chrono::seconds(5),
                        WireProtocol protocol = WireProtocol::kRaw) {
    static std::atomic<int> next{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("plproxy-" + std::to_string(::getpid()) + "-" + std::to_string(next++));
    std::filesystem::create_directories(dir_);
    auto server = ProxyServer::Open({.listen = {"127.0.0.1", 0},
                                     .backend = {"127.0.0.1", backend_port},
                                     .hold_timeout = hold_timeout,
                                     .grace = grace,
                                     .control_path = (dir_ / "proxy.sock").string(),
                                     .state_file = (dir_ / "proxy.json").string(),
                                     .protocol = protocol});
    if (!server) throw std::runtime_error("proxy did not open: " + server.error().ToString());
    server_ = std::move(*server);
    thread_ = std::thread([this] { EXPECT_TRUE(server_->Run().has_value()); });
  }
  ~RunningProxy() {
    server_->Stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  int port() const { return server_->listen_address().port; }
  ProxyControl control() const { return ProxyControl((dir_ / "proxy.sock").string()); }
  std::filesystem::path dir() const { return dir_; }

  // Polls the status until `condition` holds; fails the test after 20 s.
  ProxyStatus WaitFor(const std::function<bool(const ProxyStatus&)>& condition) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    ProxyStatus last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto status = control().Status();
      if (status && condition(*status)) return *status;
      if (status) last = *status;
      // The polling interval of a condition with a deadline, not a synchronisation.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "condition not reached; last status: " << ProxyStatusToText(last);
    return last;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ProxyServer> server_;
  std::thread thread_;
};

}  // namespace peerlock::testing
