#include <iostream>

#include "cli/commands.h"
#include "cli/roadmap_commands.h"
#include "control/migration_check.h"

namespace peerlock {

int RunCheckCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool json) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto report = RunCheck(**migration);
  if (!report) return ReportError(report.error());
  if (json) {
    std::cout << CheckReportToJson(*report).dump(2) << "\n";
  } else {
    std::cout << CheckReportToText(*report);
  }
  return report->blockers() > 0 ? kExitProblemFound : kExitOk;
}

}  // namespace peerlock
