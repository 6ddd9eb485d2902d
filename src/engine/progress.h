#pragma once
// Progress of long work on stderr: a redrawn bar (rows, rows/s, ETA) on a terminal, plain
// lines every few seconds otherwise (CI logs). Add() is thread-safe and cheap; a background
// thread does the printing until Finish().

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace peerlock {

class Progress {
 public:
  Progress(std::string label, int64_t total_rows, bool terminal);
  ~Progress();
  void Add(int64_t rows) { done_.fetch_add(rows, std::memory_order_relaxed); }
  // Stops the printer and writes the final line.
  void Finish();

 private:
  void Loop();
  std::string Line(double elapsed) const;

  std::string label_;
  int64_t total_;
  bool terminal_;
  std::atomic<int64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace peerlock
