#include "plan/plan_proxy_parser.h"

#include "base/duration.h"

namespace peerlock::plan_internal {
namespace {

const std::vector<std::string> kProxyKeys = {"listen", "backend", "hold_timeout", "grace",
                                             "control"};

Result<HostPort> ParseAddress(const PlanYaml& yaml, const Field& field, bool allow_port_zero) {
  constexpr char kExpected[] = "HOST:PORT, such as 127.0.0.1:6432";
  PL_ASSIGN(std::string text, yaml.String(field, kExpected));
  auto address = ParseHostPort(text, field.path, allow_port_zero);
  if (!address)
    return Fail(
        yaml.Fail(field.where, address.error().message(), kExpected, address.error().hint()));
  return address;
}

Result<std::chrono::milliseconds> ParseWait(const PlanYaml& yaml, const Field& field,
                                            const std::string& meaning) {
  constexpr char kExpected[] = "a duration such as 10s, 500ms or 2m";
  PL_ASSIGN(std::string text, yaml.String(field, kExpected));
  std::optional<std::chrono::milliseconds> wait = ParseDuration(text);
  if (!wait)
    return Fail(yaml.Fail(field.where, field.path + " is '" + text + "'", kExpected,
                          meaning + "; units ms, s, m, h"));
  return *wait;
}

}  // namespace

Result<ProxySettings> ParseProxy(const PlanYaml& yaml, const Field& section) {
  ProxySettings proxy;
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(section, kProxyKeys,
                         "a map with listen, backend, hold_timeout, grace, control"));
  for (const Entry& key : keys) {
    if (key.key == "listen") {
      // Port 0 lets the kernel pick; the proxy prints the port it got.
      PL_ASSIGN(proxy.listen, ParseAddress(yaml, key.value, /*allow_port_zero=*/true));
    } else if (key.key == "backend") {
      PL_ASSIGN(proxy.backend, ParseAddress(yaml, key.value, /*allow_port_zero=*/false));
    } else if (key.key == "hold_timeout") {
      PL_ASSIGN(proxy.hold_timeout,
                ParseWait(yaml, key.value,
                          "hold_timeout is the longest a new connection waits while the proxy "
                          "holds; then it gets an error"));
      if (proxy.hold_timeout.count() == 0)
        return Fail(yaml.Fail(key.value.where, "proxy.hold_timeout is 0", "a positive duration",
                              "a zero hold would refuse every connection during a cutover; "
                              "write at least the cutover's expected freeze, such as 10s"));
    } else if (key.key == "grace") {
      PL_ASSIGN(proxy.grace, ParseWait(yaml, key.value,
                                       "grace is how long in-flight connections may finish "
                                       "when the proxy drains"));
    } else if (key.key == "control") {
      PL_ASSIGN(proxy.control, yaml.String(key.value, "the path of the control socket"));
    }
  }
  return proxy;
}

}  // namespace peerlock::plan_internal
