#pragma once
// The roadmap commands around the data path: plan, status (and, as they land, check, bench,
// migrate, approve). Same contract as commands.h: each returns the process exit code and
// prints errors once.

#include <string>

#include "connector/registry.h"
#include "control/migration.h"

namespace peerlock {

// `peerlock plan`: validates the plan file and prints its ordered steps; exit 2 on a plan error.
int RunPlanCommand(const MigrationRef& ref, bool json);
// `peerlock check`: the preflight findings; exit 1 while a blocker remains.
int RunCheckCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool json);
// `peerlock bench`: the plan's queries timed on both sides; exit 1 when a target is missed.
int RunBenchCommand(const ConnectorRegistry& registry, const MigrationRef& ref, int runs,
                    bool json);
// `peerlock copy --sample P% [--into URL]`: exit 1 when the sample does not verify equal.
int RunSampleCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const std::string& percent, const std::string& into);
// `peerlock status`: the latest runs and the checklist with its evidence; exit 0.
int RunStatusCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool json);

// `peerlock migrate --wave NAME [--again]`: one wave (copy, verify, gate); exit 1 on
// differences. --again copies an appending wave a second time (its rows removed by the user).
int RunMigrateCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const std::string& wave, const CopyOptions& copy, bool again);
// `peerlock approve STEP` (a gate such as gate:pilot), recorded with who approved it.
int RunApproveCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const std::string& step, const std::string& by);
// `peerlock pause` / `peerlock resume`.
int RunPauseCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool paused);

}  // namespace peerlock
