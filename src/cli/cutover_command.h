#pragma once
// `peerlock cutover` and `peerlock rollback` (engine/cutover/cutover_step.h). Same contract as
// commands.h: returns the exit code (0 done, 1 aborted or rolled back, 2 bad input, 3 could
// not go on) and prints errors once.

#include <CLI/CLI.hpp>
#include <string>

#include "connector/registry.h"
#include "control/migration.h"

namespace peerlock {

struct CutoverCommandOptions {
  CutoverOptions cutover;
  std::string max_freeze;  // duration text, e.g. "5s"
  std::string grace;       // duration text
  bool no_auto_rollback = false;
  bool status = false;  // print the recorded state and exit
  bool json = false;
};

// Registers `cutover` and `rollback` on `app`; `add_migration_options` adds --plan & co.
struct CutoverCommands {
  CLI::App* cutover = nullptr;
  CLI::App* rollback = nullptr;
};
CutoverCommands AddCutoverCommands(CLI::App& app, CutoverCommandOptions& options,
                                   const std::function<void(CLI::App*)>& add_migration_options);

int RunCutoverCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      CutoverCommandOptions options, bool rollback);

}  // namespace peerlock
