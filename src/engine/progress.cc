#include "engine/progress.h"

#include <fmt/format.h>

#include <cstdio>

#include "base/strings.h"

namespace peerlock {

Progress::Progress(std::string label, int64_t total_rows, bool terminal)
    : label_(std::move(label)),
      total_(total_rows),
      terminal_(terminal),
      start_(std::chrono::steady_clock::now()) {
  thread_ = std::thread([this] { Loop(); });
}

Progress::~Progress() { Finish(); }

std::string Progress::Line(double elapsed) const {
  int64_t done = done_.load(std::memory_order_relaxed);
  double rate = elapsed > 0 ? done / elapsed : 0;
  double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(done) / total_) : 0;
  std::string eta = rate > 0 && total_ > done ? HumanDuration((total_ - done) / rate) : "-";
  if (!terminal_)
    return fmt::format("{}: {}/{} rows ({:.0f}%), {} rows/s, ETA {}", label_, HumanCount(done),
                       HumanCount(total_), fraction * 100, HumanCount(rate), eta);
  int width = 30, filled = static_cast<int>(fraction * width);
  return fmt::format("{} [{}{}] {:>3.0f}% {}/{} rows {} rows/s ETA {}   ", label_,
                     std::string(filled, '#'), std::string(width - filled, '.'), fraction * 100,
                     HumanCount(done), HumanCount(total_), HumanCount(rate), eta);
}

void Progress::Loop() {
  auto period = terminal_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string line = Line(elapsed);
    if (terminal_)
      std::fprintf(stderr, "\r%s", line.c_str());
    else
      std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
  }
}

void Progress::Finish() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (terminal_)
    std::fprintf(
        stderr, "\r%s\n",
        Line(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count())
            .c_str());
}

}  // namespace peerlock
