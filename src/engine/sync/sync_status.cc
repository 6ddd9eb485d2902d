#include "engine/sync/sync_status.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/strings.h"

namespace peerlock {

void LagWindow::Add(double ms) {
  if (samples_.size() < kSize) {
    samples_.push_back(ms);
  } else {
    samples_[next_] = ms;
    next_ = (next_ + 1) % kSize;
  }
}

double LagWindow::Percentile(double p) const {
  if (samples_.empty()) return 0;
  std::vector<double> sorted = samples_;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size()) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + rank, sorted.end());
  return sorted[rank];
}

std::string SyncStatusText(const nlohmann::json& s) {
  if (!s.is_object() || s.empty()) return "no sync has run for this migration\n";
  auto str = [&](const char* k) { return s.contains(k) ? s[k].dump() : std::string("-"); };
  std::string out = fmt::format(
      "sync {} phase {} (updated {}, pid {})\n", s.value("stream", std::string("?")),
      s.value("phase", std::string("?")), s.value("updated_at", std::string("?")), str("pid"));
  out += fmt::format("  started at position {}, applied up to {}\n",
                     s.value("start_position", std::string("-")),
                     s.value("position", std::string("-")));
  if (s.contains("lag")) {
    const auto& lag = s["lag"];
    out += fmt::format("  lag: {:.3f} s, {} behind; apply lag p50 {:.1f} ms, p99 {:.1f} ms\n",
                       lag.value("seconds", 0.0), HumanBytes(lag.value("bytes", 0.0)),
                       lag.value("p50_ms", 0.0), lag.value("p99_ms", 0.0));
    out += fmt::format("  applied: {} transactions, {} changes ({}/s); source log kept: {}\n",
                       s.value("txns_applied", 0), s.value("changes_applied", 0),
                       HumanCount(s.value("changes_per_second", 0.0)),
                       HumanBytes(s.value("retained_bytes", 0.0)));
  }
  if (s.contains("tables") && s["tables"].is_object()) {
    for (const auto& [table, t] : s["tables"].items())
      out += fmt::format("  {:<32} {} changes applied\n", table, t.value("changes_applied", 0));
  }
  if (s.contains("stopped_because"))
    out += "  stopped: " + s["stopped_because"].get<std::string>() + "\n";
  if (s.contains("error")) out += "  error: " + s["error"].get<std::string>() + "\n";
  return out;
}

}  // namespace peerlock
