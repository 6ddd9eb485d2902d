#include "engine/report/report_charts.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/report/report_text.h"

namespace peerlock {
namespace {

constexpr int kWidth = 640, kHeight = 240, kLeft = 56, kRight = 16, kTop = 28, kBottom = 44;

std::string Escape(const std::string& text) { return MarkupEscape(text); }

struct Frame {
  double top_value;  // the value at the top of the plot
  double Y(double value) const {
    return kTop + (kHeight - kTop - kBottom) * (1 - value / top_value);
  }
};

// Axes, title, the scale and the limit line; the caller adds the marks.
std::string Open(const ChartSpec& spec, const std::vector<ChartPoint>& points, Frame& frame,
                 const char* kind) {
  double top = spec.limit.value_or(0);
  for (const auto& p : points) top = std::max(top, p.value);
  frame.top_value = top > 0 ? top * 1.15 : 1;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {}\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" font-size=\"11\">\n"
      "<text x=\"{}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{}</text>\n"
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n"
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n",
      kind, kWidth, kHeight, kWidth, kHeight, kLeft, Escape(spec.title), kLeft, kTop, kLeft,
      kHeight - kBottom, kLeft, kHeight - kBottom, kWidth - kRight, kHeight - kBottom);
  for (double fraction : {0.0, 0.5, 1.0}) {
    double value = frame.top_value * fraction;
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:.3g}{}</text>\n",
                       kLeft - 4, frame.Y(value) + 4, value, Escape(spec.unit));
  }
  if (spec.limit) {
    double y = frame.Y(*spec.limit);
    out += fmt::format(
        "<line class=\"limit\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#cf222e\" "
        "stroke-dasharray=\"6 4\"/>\n<text x=\"{}\" y=\"{:.1f}\" fill=\"#cf222e\" "
        "text-anchor=\"end\">{}</text>\n",
        kLeft, y, kWidth - kRight, y, kWidth - kRight, y - 4, Escape(spec.limit_label));
  }
  return out;
}

double Slot(size_t count) {
  return static_cast<double>(kWidth - kLeft - kRight) /
         static_cast<double>(std::max<size_t>(count, 1));
}

std::string XLabel(size_t i, size_t count, const std::string& label) {
  // Every label when they fit, else about eight of them.
  size_t every = std::max<size_t>(1, count / 8);
  if (i % every != 0) return "";
  double x = kLeft + Slot(count) * (static_cast<double>(i) + 0.5);
  return fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x,
                     kHeight - kBottom + 16, Escape(label));
}

}  // namespace

std::string BarChartSvg(const ChartSpec& spec, const std::vector<ChartPoint>& points) {
  Frame frame;
  std::string out = Open(spec, points, frame, "bar");
  double slot = Slot(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    double y = frame.Y(points[i].value);
    bool over = spec.limit && points[i].value > *spec.limit;
    out += fmt::format(
        "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "fill=\"{}\"><title>{}: {:.3g}{}</title></rect>\n",
        kLeft + slot * static_cast<double>(i) + slot * 0.15, y, slot * 0.7, kHeight - kBottom - y,
        over ? "#cf222e" : "#2f81f7", Escape(points[i].label), points[i].value, Escape(spec.unit));
    out += XLabel(i, points.size(), points[i].label);
  }
  return out + "</svg>";
}

std::string LineChartSvg(const ChartSpec& spec, const std::vector<ChartPoint>& points) {
  Frame frame;
  std::string out = Open(spec, points, frame, "line");
  double slot = Slot(points.size());
  std::string path;
  for (size_t i = 0; i < points.size(); ++i) {
    double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    path += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : " L", x, frame.Y(points[i].value));
    out += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#2f81f7\"><title>{}: "
        "{:.3g}{}</title></circle>\n",
        x, frame.Y(points[i].value), Escape(points[i].label), points[i].value, Escape(spec.unit));
    out += XLabel(i, points.size(), points[i].label);
  }
  out += "<path class=\"series\" d=\"" + path + "\" fill=\"none\" stroke=\"#2f81f7\"/>\n";
  return out + "</svg>";
}

std::string ChartText(const ChartSpec& spec, const std::vector<ChartPoint>& points) {
  std::string out;
  for (const auto& p : points) out += fmt::format("{}: {:.3f}{}\n", p.label, p.value, spec.unit);
  if (spec.limit)
    out += fmt::format("limit ({}): {:.3f}{}\n", spec.limit_label, *spec.limit, spec.unit);
  return out;
}

}  // namespace peerlock
