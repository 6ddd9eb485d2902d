#include "connector/endpoint.h"

#include "base/strings.h"

namespace peerlock {

Result<Endpoint> Endpoint::Parse(const std::string& url) {
  Endpoint e;
  auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0)
    return Fail(Error(ErrorCode::kInvalidArgument, "'" + url + "' is not a database URL")
                    .WithHint("use sqlite:///absolute/path.db or sqlite://relative/path.db"));
  e.scheme_ = ToLower(url.substr(0, colon));
  std::string rest = url.substr(colon + 1);
  if (e.scheme_ == "sqlite") {
    // sqlite:///abs -> /abs ; sqlite://rel -> rel ; sqlite:rel -> rel
    if (StartsWith(rest, "//")) rest = rest.substr(2);
    auto q = rest.find('?');
    if (q != std::string::npos) {
      for (const auto& kv : Split(rest.substr(q + 1), '&')) {
        auto eq = kv.find('=');
        e.params_[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
      }
      rest = rest.substr(0, q);
    }
    if (rest.empty())
      return Fail(Error(ErrorCode::kInvalidArgument, "'" + url + "' names no database file")
                      .WithHint("use sqlite:///absolute/path.db or sqlite://relative/path.db"));
    e.path_ = rest;
    return e;
  }
  // Network dialects: scheme://[user[:password]@]host[:port]/database[?k=v&...]
  if (!StartsWith(rest, "//"))
    return Fail(ErrorCode::kInvalidArgument, "'" + e.scheme_ + ":' URL must start with //");
  rest = rest.substr(2);
  auto q = rest.find('?');
  if (q != std::string::npos) {
    for (const auto& kv : Split(rest.substr(q + 1), '&')) {
      auto eq = kv.find('=');
      e.params_[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    rest = rest.substr(0, q);
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    e.database_ = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  auto at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto pc = userinfo.find(':');
    e.user_ = userinfo.substr(0, pc);
    if (pc != std::string::npos) e.password_ = userinfo.substr(pc + 1);
  }
  auto pc = rest.rfind(':');
  if (pc != std::string::npos) {
    auto port = ParseInt64(rest.substr(pc + 1));
    if (!port || *port <= 0 || *port > 65535)
      return Fail(ErrorCode::kInvalidArgument,
                  "'" + e.Redacted() + "': port '" + rest.substr(pc + 1) + "' is not a port");
    e.port_ = static_cast<int>(*port);
    rest = rest.substr(0, pc);
  }
  e.host_ = rest;
  return e;
}

std::string Endpoint::Redacted() const {
  if (scheme_ == "sqlite") return "sqlite://" + path_;
  std::string out = scheme_ + "://";
  if (!user_.empty()) out += user_ + (password_.empty() ? "" : ":***") + "@";
  out += host_;
  if (port_) out += ":" + std::to_string(port_);
  out += "/" + database_;
  if (!params_.empty()) {
    std::vector<std::string> kv;
    for (const auto& [k, v] : params_)
      kv.push_back(k + "=" + (ToLower(k).find("password") != std::string::npos ? "***" : v));
    out += "?" + Join(kv, "&");
  }
  return out;
}

}  // namespace peerlock
