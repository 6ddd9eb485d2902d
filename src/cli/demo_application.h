#pragma once
// The demo's stand-in for an application: a thread that keeps placing orders in whichever shop
// database the plan's switch hooks name (the file `active` holds "source" or "target"),
// retrying writes a frozen database refuses, and remembering every order whose commit
// succeeded. The demo checks afterwards that each of them is where the migration ended.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace peerlock {

class DemoApplication {
 public:
  // New orders get ids after the source's highest.
  DemoApplication(std::string dir, std::string source_db, std::string target_db);
  ~DemoApplication() { Stop(); }
  DemoApplication(const DemoApplication&) = delete;
  DemoApplication& operator=(const DemoApplication&) = delete;

  void Stop();
  // Order ids whose commit succeeded, in order.
  std::vector<int64_t> Acknowledged() const;
  int64_t refused() const { return refused_; }
  // Blocks until `n` more orders are acknowledged (false after 60 s).
  bool WaitForOrders(int64_t n) const;

 private:
  void Loop();

  std::string dir_, source_db_, target_db_;
  int64_t next_id_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> refused_{0}, count_{0};
  mutable std::mutex mu_;
  std::vector<int64_t> acknowledged_;
  std::thread thread_;
};

}  // namespace peerlock
