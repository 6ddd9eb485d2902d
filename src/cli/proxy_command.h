#pragma once
// `peerlock proxy`: runs the TCP proxy in the foreground (proxy/proxy_server.h), or talks to a
// running one through its control socket (--status, and the operator's --hold, --drain,
// --switch HOST:PORT, --release). Same contract as commands.h: returns the exit code and
// prints errors once.

#include <CLI/CLI.hpp>
#include <string>

namespace peerlock {

struct ProxyCommandOptions {
  std::string plan_file;     // the plan whose `proxy:` section applies; optional
  std::string state_dir;     // default: .peerlock beside the plan (or in the working directory)
  std::string listen;        // overrides proxy.listen
  std::string backend;       // overrides proxy.backend (default: the plan source's host:port)
  std::string control;       // overrides proxy.control (default: <state dir>/proxy.sock)
  std::string hold_timeout;  // overrides proxy.hold_timeout
  std::string grace;         // overrides proxy.grace
  bool status = false;       // print the running proxy's status instead of running one
  bool json = false;         // --status as JSON
  bool hold = false, drain = false, release = false;
  std::string switch_to;  // HOST:PORT for a running proxy
};

// Registers the `proxy` subcommand and its flags on `app`.
CLI::App* AddProxyCommand(CLI::App& app, ProxyCommandOptions& options);
int RunProxyCommand(const ProxyCommandOptions& options);

}  // namespace peerlock
