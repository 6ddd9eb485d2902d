#include "support/listening_port.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace peerlock::testing {

ListeningPort::ListeningPort() {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 8) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    ADD_FAILURE() << "cannot listen on loopback: " << std::strerror(errno);
  port_ = ntohs(addr.sin_port);
}

void ListeningPort::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

std::string ListeningPort::Url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

}  // namespace peerlock::testing
