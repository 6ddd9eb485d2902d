#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "cli/roadmap_commands.h"
#include "control/migration_waves.h"

namespace peerlock {

int RunMigrateCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const std::string& wave, const CopyOptions& copy, bool again) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  if (wave.empty()) {
    return ReportError(Error(ErrorCode::kInvalidArgument, "migrate needs --wave NAME")
                           .WithHint("`peerlock plan` lists the waves in the order they run"));
  }
  CopyOptions options = copy;
  options.workers = (*migration)->plan().copy.workers;
  options.chunk_rows = (*migration)->plan().copy.chunk_rows;
  options.batch_rows = (*migration)->plan().copy.batch_rows;
  auto outcome = MigrateWave(**migration, wave, options, again);
  if (!outcome) return ReportError(outcome.error());
  std::printf("%s\n", outcome->summary.value("evidence", std::string()).c_str());
  if (outcome->state == "awaiting-approval") {
    std::printf(
        "stopped at gate:%s: check the wave, then `peerlock approve gate:%s` and run "
        "`peerlock migrate --wave %s` again\n",
        wave.c_str(), wave.c_str(), wave.c_str());
  }
  return outcome->state == "differences" ? kExitProblemFound : kExitOk;
}

int RunApproveCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      const std::string& step, const std::string& by) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  const char* user = std::getenv("USER");
  std::string who = !by.empty() ? by : user ? user : "unknown";
  if (auto st = ApproveStep(**migration, step, who); !st) return ReportError(st.error());
  std::printf("%s approved by %s\n", step.c_str(), who.c_str());
  return kExitOk;
}

int RunPauseCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool paused) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  if (auto st = SetPaused(**migration, paused); !st) return ReportError(st.error());
  std::printf("%s\n", paused ? "paused: migrate refuses to start a wave until `peerlock resume`"
                             : "resumed");
  return kExitOk;
}

}  // namespace peerlock
