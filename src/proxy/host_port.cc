#include "proxy/host_port.h"

#include "base/strings.h"

namespace peerlock {

std::string HostPort::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view input, const std::string& what,
                               bool allow_port_zero) {
  std::string text = Trim(input);
  auto bad = [&](const std::string& why) {
    return Fail(Error(ErrorCode::kInvalidArgument, what + " is '" + text + "': " + why)
                    .WithHint("write HOST:PORT, such as 127.0.0.1:6432, db.internal:5432 or "
                              "[::1]:5432"));
  };
  HostPort out;
  std::string port_text;
  if (StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("an IPv6 address in brackets must be followed by :PORT");
    out.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return bad("there is no :PORT");
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos)
      return bad("an IPv6 address needs brackets, as in [::1]:5432");
  }
  if (out.host.find_first_of(" /\t") != std::string::npos)
    return bad("the host has a space or '/' in it");
  if (out.host.empty()) out.host = "127.0.0.1";
  std::optional<int64_t> port = ParseInt64(port_text);
  if (!port || *port < (allow_port_zero ? 0 : 1) || *port > 65535)
    return bad("the port must be a number from 1 to 65535");
  out.port = static_cast<int>(*port);
  return out;
}

}  // namespace peerlock
