#pragma once
// A TCP port on 127.0.0.1, chosen by the kernel, that accepts connections (the kernel completes
// them from the backlog) and never reads or writes: an endpoint that is up for tcp:// probes and
// silent for HTTP ones. Closed on destruction. Shared by src/engine/systems/system_probe_test.cc
// and tests/scenarios/backup_test.cc. Not thread-safe.

#include <string>

namespace peerlock::testing {

class ListeningPort {
 public:
  // Adds a test failure when the port cannot be opened.
  ListeningPort();
  ~ListeningPort() { Close(); }
  ListeningPort(const ListeningPort&) = delete;
  ListeningPort& operator=(const ListeningPort&) = delete;

  // Stops listening: connections to the port are refused from now on.
  void Close();
  int port() const { return port_; }
  // "tcp://127.0.0.1:<port>".
  std::string Url() const;

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace peerlock::testing
