#pragma once
// Watches one check URL (system_probe.h) for the length of a piece of work: probes it every
// `interval` on a thread of its own from construction until Stop, and once more at Stop. The
// restore drill uses it to show that monitoring stayed up while the backup was restored and
// verified, not only at the end. Snapshot may be called from any thread; Stop (and the
// destructor) by the owner only.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "engine/systems/system_probe.h"

namespace peerlock {

struct ProbeRecord {
  std::string url;
  int probes = 0;
  int failures = 0;
  double longest_outage_seconds = 0;  // the longest run of failed probes, first to last failure
  std::string first_failure;          // what the first failed probe said
  SystemHealth last;                  // the latest probe
};

class ProbeWatch {
 public:
  // Starts probing `url` at once, then every `interval`; each probe waits at most
  // `timeout_seconds` (connect and response each).
  ProbeWatch(std::string url, std::chrono::milliseconds interval, double timeout_seconds);
  ~ProbeWatch();
  ProbeWatch(const ProbeWatch&) = delete;
  ProbeWatch& operator=(const ProbeWatch&) = delete;

  // What the probes so far found.
  ProbeRecord Snapshot() const;
  // Stops the watch, probes a last time, and returns the whole record. Later calls return it
  // again without probing.
  ProbeRecord Stop();

 private:
  void Loop();
  void Probe();

  const std::chrono::milliseconds interval_;
  const double timeout_seconds_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool stopped_ = false;
  ProbeRecord record_;
  std::chrono::steady_clock::time_point outage_since_;
  bool in_outage_ = false;
  std::thread thread_;
};

nlohmann::json ProbeRecordToJson(const ProbeRecord& record);
// "answered all 12 probes" / "did not answer 3 of 12 probes (longest outage 2.0 s; first: ...)".
std::string ProbeRecordText(const ProbeRecord& record);

}  // namespace peerlock
