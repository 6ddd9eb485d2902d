#pragma once
// The CLI's commands: argv <-> control. Each returns the process exit code of the contract
// (0 ok, 1 problem found, 2 bad input, 3 runtime failure) and prints errors once, here.

#include <string>

#include "connector/registry.h"
#include "control/migration.h"

namespace peerlock {

// Prints `error` (with its hint) to stderr and returns its exit code.
int ReportError(const Error& error);

int RunInit(const ConnectorRegistry& registry, const MigrationRef& ref, const std::string& out);
int RunInventoryCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool json);
int RunCopyCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                   const CopyOptions& options, bool options_from_cli_workers);
int RunVerifyCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const VerifyOptions& options, bool json);
int RunReportCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const std::string& format, const std::string& out);
int RunAuditVerify(const MigrationRef& ref);

struct DemoOptions {
  std::string dir = "demo";    // where the legacy DB, plan, target and report go
  double scale = 1.0;          // 1.0 = about a million rows
  bool generate_only = false;  // create the legacy DB and stop (benchmarks)
  int workers = 2;
};
int RunDemo(const ConnectorRegistry& registry, const DemoOptions& options, bool terminal);

}  // namespace peerlock
