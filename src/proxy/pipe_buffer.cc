#include "proxy/pipe_buffer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace peerlock {
namespace {

bool WouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

}  // namespace

Status PipeBuffer::Pump(int from, int to, int64_t& delivered) {
  // A bounded number of rounds, so one busy connection cannot starve the others; epoll is
  // level-triggered and reports the sockets again if more is waiting.
  for (int round = 0; round < 16; ++round) {
    bool progressed = false;
    if (!ended_) {
      if (end_ == data_.size() && start_ > 0) {
        std::memmove(data_.data(), data_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
      }
      if (end_ < data_.size()) {
        ssize_t n = ::read(from, data_.data() + end_, data_.size() - end_);
        if (n > 0) {
          end_ += static_cast<size_t>(n);
          progressed = true;
        } else if (n == 0) {
          ended_ = true;
          progressed = true;
        } else if (!WouldBlock(errno)) {
          return Fail(ErrorCode::kConnection, std::string("read: ") + std::strerror(errno));
        }
      }
    }
    if (end_ > start_) {
      // MSG_NOSIGNAL: a peer that went away is an error value here, not a SIGPIPE.
      ssize_t n = ::send(to, data_.data() + start_, end_ - start_, MSG_NOSIGNAL);
      if (n > 0) {
        if (passed_) passed_(std::string_view(data_.data() + start_, static_cast<size_t>(n)));
        start_ += static_cast<size_t>(n);
        delivered += n;
        if (start_ == end_) start_ = end_ = 0;
        progressed = true;
      } else if (n < 0 && !WouldBlock(errno)) {
        return Fail(ErrorCode::kConnection, std::string("write: ") + std::strerror(errno));
      }
    }
    if (ended_ && end_ == start_ && !shut_) {
      // ENOTCONN: the peer already closed both ways; the other direction will see it.
      if (::shutdown(to, SHUT_WR) != 0 && errno != ENOTCONN)
        return Fail(ErrorCode::kConnection, std::string("shutdown: ") + std::strerror(errno));
      shut_ = true;
    }
    if (!progressed) return {};
  }
  return {};
}

}  // namespace peerlock
