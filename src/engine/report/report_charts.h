#pragma once
// Small SVG charts for the report, drawn by PeerLock (no library, no script): bars for one
// value per event (freeze per cutover) and a line for a series over time (replication lag),
// each with an optional limit line (the plan's objective). Labels are escaped. Pure;
// thread-safe.

#include <optional>
#include <string>
#include <vector>

namespace peerlock {

struct ChartPoint {
  std::string label;  // x axis: "cutover #7", "14:03:07"
  double value = 0;   // y axis, in `unit`
};

struct ChartSpec {
  std::string title;
  std::string unit;             // "s"
  std::optional<double> limit;  // drawn as a dashed line, e.g. max_downtime
  std::string limit_label;      // "max_downtime 30s"
};

std::string BarChartSvg(const ChartSpec& spec, const std::vector<ChartPoint>& points);
std::string LineChartSvg(const ChartSpec& spec, const std::vector<ChartPoint>& points);
// The points as "label: value unit" lines, for text formats.
std::string ChartText(const ChartSpec& spec, const std::vector<ChartPoint>& points);

}  // namespace peerlock
