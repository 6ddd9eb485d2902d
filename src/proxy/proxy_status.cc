#include "proxy/proxy_status.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/strings.h"

namespace peerlock {

const char* ProxyStateName(ProxyState state) {
  switch (state) {
    case ProxyState::kForwarding: return "forwarding";
    case ProxyState::kHolding: return "holding";
    case ProxyState::kDraining: return "draining";
  }
  return "unknown";
}

nlohmann::json ProxyStatusToJson(const ProxyStatus& s) {
  return {{"state", ProxyStateName(s.state)},
          {"listen", s.listen},
          {"backend", s.backend},
          {"control", s.control},
          {"pid", s.pid},
          {"started_at", s.started_at},
          {"updated_at", s.updated_at},
          {"connections",
           {{"active", s.active},
            {"held", s.held},
            {"accepted", s.accepted},
            {"hold_timeouts", s.hold_timeouts},
            {"drain_closed", s.drain_closed},
            {"backend_failures", s.backend_failures}}},
          {"switches", s.switches},
          {"bytes", {{"to_backend", s.bytes_to_backend}, {"to_client", s.bytes_to_client}}},
          {"stopped", s.stopped}};
}

Result<ProxyStatus> ProxyStatusFromJson(const nlohmann::json& j) {
  // nlohmann throws on a missing key or a wrong type; this is the boundary.
  try {
    ProxyStatus s;
    std::string state = j.at("state").get<std::string>();
    if (state == "holding") {
      s.state = ProxyState::kHolding;
    } else if (state == "draining") {
      s.state = ProxyState::kDraining;
    } else if (state != "forwarding") {
      return Fail(ErrorCode::kInternal, "unknown proxy state '" + state + "'");
    }
    s.listen = j.at("listen").get<std::string>();
    s.backend = j.at("backend").get<std::string>();
    s.control = j.at("control").get<std::string>();
    s.pid = j.at("pid").get<int64_t>();
    s.started_at = j.at("started_at").get<std::string>();
    s.updated_at = j.at("updated_at").get<std::string>();
    const auto& c = j.at("connections");
    s.active = c.at("active").get<int64_t>();
    s.held = c.at("held").get<int64_t>();
    s.accepted = c.at("accepted").get<int64_t>();
    s.hold_timeouts = c.at("hold_timeouts").get<int64_t>();
    s.drain_closed = c.at("drain_closed").get<int64_t>();
    s.backend_failures = c.at("backend_failures").get<int64_t>();
    s.switches = j.at("switches").get<int64_t>();
    s.bytes_to_backend = j.at("bytes").at("to_backend").get<int64_t>();
    s.bytes_to_client = j.at("bytes").at("to_client").get<int64_t>();
    s.stopped = j.at("stopped").get<bool>();
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("malformed proxy status: ") + e.what());
  }
}

std::string ProxyStatusToText(const ProxyStatus& s) {
  return fmt::format(
      "proxy {} -> {}: {}{} (pid {}, since {})\n"
      "connections: {} active, {} held, {} accepted, {} hold timeouts, {} closed by drain, {} "
      "backend failures; {} switches; {} to backend, {} to clients\n",
      s.listen, s.backend, s.stopped ? "stopped, was " : "", ProxyStateName(s.state), s.pid,
      s.started_at, s.active, s.held, s.accepted, s.hold_timeouts, s.drain_closed,
      s.backend_failures, s.switches, HumanBytes(static_cast<double>(s.bytes_to_backend)),
      HumanBytes(static_cast<double>(s.bytes_to_client)));
}

std::string ProxyStateFilePath(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "proxy.json").string();
}

std::string DefaultControlSocketPath(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "proxy.sock").string();
}

Status WriteProxyStateFile(const std::string& path, const ProxyStatus& status) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << ProxyStatusToJson(status).dump(2) << "\n";
    if (!out.flush())
      return Fail(Error(ErrorCode::kIo, "cannot write the proxy state file " + temporary)
                      .WithHint("check the state directory is writable and the disk not full"));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec)
    return Fail(Error(ErrorCode::kIo, "cannot replace " + path + ": " + ec.message())
                    .WithHint("check the state directory is writable"));
  return {};
}

Result<ProxyStatus> ReadProxyStateFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return Fail(Error(ErrorCode::kNotFound, "no proxy state file at " + path)
                    .WithHint("`peerlock proxy` writes it while it runs"));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded())
    return Fail(Error(ErrorCode::kIo, path + " is not valid JSON")
                    .WithHint("the proxy rewrites it on its next change; delete it if no proxy "
                              "runs"));
  return WithContext(ProxyStatusFromJson(json), path);
}

}  // namespace peerlock
