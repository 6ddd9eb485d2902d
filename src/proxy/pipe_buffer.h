#pragma once
// One direction of a proxied connection: bytes read from one socket wait here until the other
// socket takes them. Its capacity is fixed, so a slow reader stops us reading from the fast
// writer (backpressure through TCP) instead of growing memory. Not thread-safe.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace peerlock {

class PipeBuffer {
 public:
  explicit PipeBuffer(size_t capacity) : data_(capacity) {}

  // Moves bytes from `from` to `to` until neither can make progress (EAGAIN), adding what was
  // delivered to `delivered`. After `from` ends and everything is delivered, shuts down the
  // write side of `to` (a half-close passes through). kConnection on a socket error.
  Status Pump(int from, int to, int64_t& delivered);

  // `passed` sees every byte handed to `to`, in order (WireFrames follows the protocol with it).
  void Observe(std::function<void(std::string_view)> passed) { passed_ = std::move(passed); }

  bool WantsRead() const { return !ended_ && end_ < data_.size(); }
  bool WantsWrite() const { return end_ > start_; }
  // The source ended and `to` was shut down: this direction is finished.
  bool Finished() const { return shut_; }

 private:
  std::vector<char> data_;
  std::function<void(std::string_view)> passed_;
  size_t start_ = 0;  // first byte not yet delivered
  size_t end_ = 0;    // one past the last byte read
  bool ended_ = false;
  bool shut_ = false;
};

}  // namespace peerlock
