#include "engine/systems/probe_watch.h"

#include <fmt/format.h>

namespace peerlock {

ProbeWatch::ProbeWatch(std::string url, std::chrono::milliseconds interval, double timeout_seconds)
    : interval_(interval), timeout_seconds_(timeout_seconds) {
  record_.url = std::move(url);
  thread_ = std::thread([this] { Loop(); });
}

ProbeWatch::~ProbeWatch() { (void)Stop(); }

void ProbeWatch::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Probe();
    lock.lock();
    // The pacing of the probes; Stop wakes it at once.
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

void ProbeWatch::Probe() {
  std::string url;
  {
    std::lock_guard lock(mu_);
    url = record_.url;
  }
  SystemHealth health = ProbeCheckUrl(url, timeout_seconds_);
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  ++record_.probes;
  if (!health.ok) {
    ++record_.failures;
    if (record_.first_failure.empty()) record_.first_failure = health.detail;
    if (!in_outage_) outage_since_ = now;
    in_outage_ = true;
    record_.longest_outage_seconds = std::max(
        record_.longest_outage_seconds, std::chrono::duration<double>(now - outage_since_).count());
  } else {
    in_outage_ = false;
  }
  record_.last = std::move(health);
}

ProbeRecord ProbeWatch::Snapshot() const {
  std::lock_guard lock(mu_);
  return record_;
}

ProbeRecord ProbeWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return record_;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  Probe();  // the last look, at the end of the work
  std::lock_guard lock(mu_);
  stopped_ = true;
  return record_;
}

nlohmann::json ProbeRecordToJson(const ProbeRecord& record) {
  return {{"url", record.url},
          {"probes", record.probes},
          {"failures", record.failures},
          {"longest_outage_seconds", record.longest_outage_seconds},
          {"first_failure", record.first_failure},
          {"last", SystemHealthToJson(record.last)}};
}

std::string ProbeRecordText(const ProbeRecord& record) {
  if (record.failures == 0) return fmt::format("answered all {} probes", record.probes);
  return fmt::format("did not answer {} of {} probes (longest outage {:.1f} s; first: {})",
                     record.failures, record.probes, record.longest_outage_seconds,
                     record.first_failure);
}

}  // namespace peerlock
