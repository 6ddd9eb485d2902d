#include <iostream>

#include "cli/commands.h"
#include "cli/roadmap_commands.h"
#include "control/migration_status.h"

namespace peerlock {

int RunStatusCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool json) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto status = MigrationStatus(**migration);
  if (!status) return ReportError(status.error());
  if (json) {
    std::cout << status->dump(2) << "\n";
  } else {
    std::cout << MigrationStatusText(*status);
  }
  return kExitOk;
}

}  // namespace peerlock
