#pragma once
// Cooperative cancellation: long work polls Cancelled() between batches and stops with
// ErrorCode::kCancelled. Set from a signal handler (async-signal-safe: a lock-free atomic).

#include <atomic>

namespace peerlock {

class CancelFlag {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool Cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

// The process-wide flag raised by SIGINT/SIGTERM (installed by the CLI).
CancelFlag& ProcessCancelFlag();
// Routes SIGINT and SIGTERM to ProcessCancelFlag().
void InstallCancelSignalHandlers();

}  // namespace peerlock
