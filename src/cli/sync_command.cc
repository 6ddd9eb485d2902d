#include "cli/sync_command.h"

#include <cstdio>
#include <iostream>

#include "base/strings.h"
#include "cli/commands.h"
#include "engine/sync/sync_status.h"

namespace peerlock {

int RunSyncCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                   const SyncCommandOptions& options) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  if (options.status) {
    auto status = options.reverse ? (*migration)->ReverseSyncStatus() : (*migration)->SyncStatus();
    if (!status) return ReportError(status.error());
    if (options.json)
      std::cout << status->dump(2) << "\n";
    else
      std::cout << SyncStatusText(*status);
    return kExitOk;
  }
  if (options.drop) {
    if (auto st = (*migration)->DropSync(); !st) return ReportError(st.error());
    std::printf(
        "dropped the sync's capture on the source and its position on the target; the "
        "next `peerlock sync` copies afresh\n");
    return kExitOk;
  }
  SyncOptions sync = options.sync;
  if (!options.workers_given) sync.workers = (*migration)->plan().copy.workers;
  auto summary = options.reverse ? (*migration)->RunReverseSync(sync) : (*migration)->RunSync(sync);
  if (!summary) return ReportError(summary.error());
  if (summary->copied)
    std::printf("copied %lld rows from the capture's snapshot\n",
                static_cast<long long>(summary->copied_rows));
  std::printf(
      "applied %lld changes in %lld source transactions in %s; at position %s; stopped: "
      "%s\n",
      static_cast<long long>(summary->changes), static_cast<long long>(summary->txns),
      HumanDuration(summary->seconds).c_str(),
      summary->position.empty() ? "-" : summary->position.c_str(),
      summary->stopped_because.c_str());
  return kExitOk;
}

}  // namespace peerlock
