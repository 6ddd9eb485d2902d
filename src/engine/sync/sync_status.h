#pragma once
// What a running sync publishes about itself: a window of recent apply lags (source commit to
// target commit, per applied batch) for p50/p99, and the text `peerlock sync --status` prints.
// LagWindow is not thread-safe (the sync loop owns it).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace peerlock {

class LagWindow {
 public:
  static constexpr size_t kSize = 4096;  // recent samples kept: memory stays bounded
  void Reset() {
    samples_.clear();
    next_ = 0;
  }
  void Add(double ms);
  // The p-th percentile (0..100) of the window; 0 when empty.
  double Percentile(double p) const;
  size_t count() const { return samples_.size(); }

 private:
  std::vector<double> samples_;
  size_t next_ = 0;
};

// Human-readable status from the JSON SyncStatus() returns.
std::string SyncStatusText(const nlohmann::json& status);

}  // namespace peerlock
