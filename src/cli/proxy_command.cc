#include "cli/proxy_command.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "base/cancel.h"
#include "base/duration.h"
#include "cli/commands.h"
#include "connector/endpoint.h"
#include "plan/database_address.h"
#include "plan/plan.h"
#include "proxy/proxy_control.h"
#include "proxy/proxy_server.h"

namespace peerlock {
namespace {

std::string StateDir(const ProxyCommandOptions& options) {
  if (!options.state_dir.empty()) return options.state_dir;
  std::filesystem::path base = options.plan_file.empty()
                                   ? std::filesystem::current_path()
                                   : std::filesystem::absolute(options.plan_file).parent_path();
  return (base / ".peerlock").string();
}

// The source's host:port, which is what applications reach today and so what the proxy first
// forwards to.
Result<HostPort> SourceAddress(const Plan& plan) { return DatabaseAddress(plan.source, "source"); }

Result<std::chrono::milliseconds> FlagDuration(const std::string& flag, const std::string& text) {
  auto wait = ParseDuration(text);
  if (!wait)
    return Fail(Error(ErrorCode::kInvalidArgument, flag + " is '" + text + "'")
                    .WithHint("write a duration such as 10s, 500ms or 2m"));
  return *wait;
}

// Flags over the plan's `proxy:` section over defaults.
Result<ProxySettings> ResolveSettings(const ProxyCommandOptions& options, const Plan* plan) {
  ProxySettings settings = plan ? plan->proxy : ProxySettings{};
  if (!options.listen.empty()) {
    PL_ASSIGN(settings.listen, ParseHostPort(options.listen, "--listen", true));
  }
  if (!options.backend.empty()) {
    PL_ASSIGN(settings.backend, ParseHostPort(options.backend, "--backend"));
  }
  if (!options.control.empty()) settings.control = options.control;
  if (!options.hold_timeout.empty()) {
    PL_ASSIGN(settings.hold_timeout, FlagDuration("--hold-timeout", options.hold_timeout));
  }
  if (!options.grace.empty()) {
    PL_ASSIGN(settings.grace, FlagDuration("--grace", options.grace));
  }
  if (settings.control.empty()) settings.control = DefaultControlSocketPath(StateDir(options));
  return settings;
}

int RunOperation(const ProxyCommandOptions& options, const ProxySettings& settings) {
  ProxyControl proxy(settings.control);
  Result<ProxyStatus> status = Fail(ErrorCode::kInternal, "no operation");
  if (options.hold) {
    status = proxy.Hold();
  } else if (options.drain) {
    status = proxy.Drain();
  } else if (!options.switch_to.empty()) {
    auto backend = ParseHostPort(options.switch_to, "--switch");
    if (!backend) return ReportError(backend.error());
    status = proxy.Switch(*backend);
  } else if (options.release) {
    status = proxy.Release();
  } else {
    status = proxy.Status();
  }
  if (!status) return ReportError(status.error());
  if (options.json)
    std::cout << ProxyStatusToJson(*status).dump(2) << "\n";
  else
    std::cout << ProxyStatusToText(*status);
  return kExitOk;
}

int Serve(const ProxyCommandOptions& options, const Plan* plan, const ProxySettings& settings) {
  if (!settings.listen)
    return ReportError(Error(ErrorCode::kInvalidArgument, "the proxy has no listen address")
                           .WithHint("give --listen HOST:PORT or proxy.listen in the plan, "
                                     "e.g. 127.0.0.1:6432"));
  HostPort backend;
  if (settings.backend) {
    backend = *settings.backend;
  } else {
    auto source = SourceAddress(plan ? *plan : Plan{});
    if (!source) return ReportError(source.error());
    backend = *source;
  }
  std::string state_dir = StateDir(options);
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec)
    return ReportError(Error(ErrorCode::kIo,
                             "cannot create the state directory " + state_dir + ": " + ec.message())
                           .WithHint("check the path and its permissions, or pass --state"));
  // Applications speak the source's protocol: a client held too long is refused in it.
  WireProtocol protocol = WireProtocol::kRaw;
  if (plan && !plan->source.url.empty())
    if (auto endpoint = Endpoint::Parse(plan->source.url))
      protocol = WireProtocolForScheme(endpoint->scheme());
  auto server = ProxyServer::Open({.listen = *settings.listen,
                                   .backend = backend,
                                   .hold_timeout = settings.hold_timeout,
                                   .grace = settings.grace,
                                   .control_path = settings.control,
                                   .state_file = ProxyStateFilePath(state_dir),
                                   .protocol = protocol});
  if (!server) return ReportError(server.error());
  // One line on stdout, flushed, so scripts and tests know the proxy is ready and where.
  std::printf("proxy listening on %s, forwarding to %s, control %s, state %s\n",
              (*server)->listen_address().ToString().c_str(), backend.ToString().c_str(),
              settings.control.c_str(), ProxyStateFilePath(state_dir).c_str());
  std::fflush(stdout);
  if (auto run = (*server)->Run(&ProcessCancelFlag()); !run) return ReportError(run.error());
  return kExitOk;
}

}  // namespace

CLI::App* AddProxyCommand(CLI::App& app, ProxyCommandOptions& o) {
  auto* cmd = app.add_subcommand("proxy", "TCP proxy for applications, switched at cutover");
  cmd->add_option("--plan", o.plan_file, "plan file (peerlock.yaml) with a proxy: section");
  cmd->add_option("--state", o.state_dir, "state directory (default: .peerlock beside the plan)");
  cmd->add_option("--listen", o.listen, "HOST:PORT applications connect to");
  cmd->add_option("--backend", o.backend, "HOST:PORT to forward to (default: the plan's source)");
  cmd->add_option("--control", o.control, "control socket (default: <state>/proxy.sock)");
  cmd->add_option("--hold-timeout", o.hold_timeout, "longest a held connection waits (10s)");
  cmd->add_option("--grace", o.grace, "time in-flight connections get on drain (5s)");
  cmd->add_flag("--status", o.status, "print the running proxy's status");
  cmd->add_flag("--json", o.json, "machine-readable status");
  // Manual operation of a running proxy; `peerlock cutover` does this itself (docs/proxy.md).
  cmd->add_flag("--hold", o.hold)->group("");
  cmd->add_flag("--drain", o.drain)->group("");
  cmd->add_flag("--release", o.release)->group("");
  cmd->add_option("--switch", o.switch_to)->group("");
  return cmd;
}

int RunProxyCommand(const ProxyCommandOptions& options) {
  int operations =
      options.status + options.hold + options.drain + options.release + !options.switch_to.empty();
  if (operations > 1)
    return ReportError(Error(ErrorCode::kInvalidArgument, "give one proxy operation at a time")
                           .WithHint("--status, --hold, --drain, --switch and --release each "
                                     "run alone"));
  std::optional<Plan> plan;
  if (!options.plan_file.empty()) {
    auto loaded = LoadPlanFile(options.plan_file);
    if (!loaded) return ReportError(loaded.error());
    plan = std::move(*loaded);
  }
  auto settings = ResolveSettings(options, plan ? &*plan : nullptr);
  if (!settings) return ReportError(settings.error());
  if (operations == 1) return RunOperation(options, *settings);
  return Serve(options, plan ? &*plan : nullptr, *settings);
}

}  // namespace peerlock
