#include "plan/plan_roadmap.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "base/duration.h"

namespace peerlock {

const char* SystemKindName(SystemKind kind) {
  switch (kind) {
    case SystemKind::kDatabase: return "database";
    case SystemKind::kService: return "service";
    case SystemKind::kStorage: return "storage";
    case SystemKind::kIntegration: return "integration";
  }
  return "unknown";
}

const std::vector<std::string>& HookNames() {
  static const std::vector<std::string> kNames = {
      "before_copy", "after_copy",    "before_cutover", "freeze_source", "switch_traffic",
      "smoke_test",  "after_cutover", "rollback",       "decommission"};
  return kNames;
}

std::optional<ProbeUrl> ParseProbeUrl(std::string_view text) {
  ProbeUrl url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  url.scheme = std::string(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "tcp") return std::nullopt;
  std::string_view rest = text.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  // [v6]:port or host:port
  size_t colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    colon = close + 1 < authority.size() && authority[close + 1] == ':' ? close + 1
                                                                        : std::string_view::npos;
  } else {
    url.host = std::string(authority.substr(0, colon));
  }
  if (url.host.empty()) return std::nullopt;
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (ec != std::errc() || end != port.data() + port.size() || url.port < 1 || url.port > 65535)
      return std::nullopt;
  } else if (url.scheme == "tcp") {
    return std::nullopt;
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  return url;
}

std::string FormatSeconds(double seconds) {
  return FormatDuration(std::chrono::milliseconds(std::llround(seconds * 1000)));
}

std::optional<int64_t> ParseIsoTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM[:SS] then Z or +HH:MM / -HH:MM: a window without a zone is ambiguous
  // for a team spread over several.
  auto number = [&](size_t pos, size_t len) -> std::optional<int> {
    if (pos + len > text.size()) return std::nullopt;
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, value);
    if (ec != std::errc() || end != text.data() + pos + len) return std::nullopt;
    return value;
  };
  auto at = [&](size_t pos, char c) { return pos < text.size() && text[pos] == c; };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  auto hour = number(11, 2), minute = number(14, 2);
  if (!year || !month || !day || !hour || !minute || !at(4, '-') || !at(7, '-') ||
      !(at(10, 'T') || at(10, ' ')) || !at(13, ':'))
    return std::nullopt;
  size_t pos = 16;
  int second = 0;
  if (at(pos, ':')) {
    auto s = number(pos + 1, 2);
    if (!s) return std::nullopt;
    second = *s;
    pos += 3;
  }
  int offset = 0;
  if (at(pos, 'Z') && pos + 1 == text.size()) {
  } else if ((at(pos, '+') || at(pos, '-')) && pos + 6 == text.size() && at(pos + 3, ':')) {
    auto oh = number(pos + 1, 2), om = number(pos + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (text[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(*year), std::chrono::month(*month),
                                  std::chrono::day(*day)};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || second > 59) return std::nullopt;
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return days * 86400 + *hour * 3600 + *minute * 60 + second - offset;
}

}  // namespace peerlock
