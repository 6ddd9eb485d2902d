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

int RunBenchCommand(const ConnectorRegistry& registry, const MigrationRef& ref, int runs,
                    bool json) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto result = RunBenchmark(**migration, BenchOptions{.runs = runs});
  if (!result) return ReportError(result.error());
  if (json) {
    std::cout << BenchResultToJson(*result).dump(2) << "\n";
  } else {
    std::cout << BenchResultToText(*result);
  }
  return result->met ? kExitOk : kExitProblemFound;
}

}  // namespace peerlock
