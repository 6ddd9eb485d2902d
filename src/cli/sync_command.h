#pragma once
// `peerlock sync`: the warm migration command (engine/sync/sync_step.h), with --status and
// --drop.

#include "connector/registry.h"
#include "control/migration.h"

namespace peerlock {

struct SyncCommandOptions {
  SyncOptions sync;
  bool workers_given = false;
  bool status = false;  // print the published status and exit
  bool drop = false;    // remove the capture and the sync's state
  bool json = false;
  bool reverse = false;  // after a cutover: the target's changes into the old source
};

int RunSyncCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                   const SyncCommandOptions& options);

}  // namespace peerlock
