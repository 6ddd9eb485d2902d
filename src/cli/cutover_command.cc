#include "cli/cutover_command.h"

#include <cstdio>
#include <iostream>

#include "base/duration.h"
#include "cli/commands.h"

namespace peerlock {

CutoverCommands AddCutoverCommands(CLI::App& app, CutoverCommandOptions& o,
                                   const std::function<void(CLI::App*)>& add_migration_options) {
  CutoverCommands cmds;
  cmds.cutover = app.add_subcommand(
      "cutover", "freeze the source, drain, verify, switch traffic to the target");
  cmds.rollback = app.add_subcommand(
      "rollback", "after a cutover: freeze the target, drain it into the source, switch back");
  for (CLI::App* cmd : {cmds.cutover, cmds.rollback}) {
    add_migration_options(cmd);
    cmd->add_option("--grace", o.grace,
                    "time open transactions get to finish when a side is frozen (default 2s)");
    cmd->add_flag("--status", o.status, "show the recorded state of the last cutover or rollback");
    cmd->add_flag("--json", o.json, "machine-readable output");
  }
  cmds.cutover->add_flag("--dry-run", o.cutover.dry_run,
                         "run the preflight checks only; freeze nothing");
  cmds.cutover->add_option("--max-freeze", o.max_freeze,
                           "longest the source may stay frozen before the cutover undoes "
                           "itself (default: objectives.max_downtime, else 30s)");
  cmds.cutover->add_option("--wave", o.cutover.wave, "cut over this wave's tables");
  cmds.cutover->add_flag("--no-auto-rollback", o.no_auto_rollback,
                         "stop instead of rolling back when a smoke test fails");
  cmds.rollback->add_flag("--force", o.cutover.force,
                          "roll back even after the plan's rollback.within window has passed");
  return cmds;
}

int RunCutoverCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                      CutoverCommandOptions options, bool rollback) {
  for (auto [flag, text] :
       {std::pair{"--max-freeze", &options.max_freeze}, std::pair{"--grace", &options.grace}}) {
    if (text->empty()) continue;
    auto d = ParseDuration(*text);
    if (!d)
      return ReportError(
          Error(ErrorCode::kInvalidArgument, std::string(flag) + " " + *text + " is not a duration")
              .WithHint("write it like 500ms, 5s or 2m"));
    if (std::string(flag) == "--grace")
      options.cutover.grace = *d;
    else
      options.cutover.max_freeze = *d;
  }
  options.cutover.auto_rollback = !options.no_auto_rollback;
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  if (options.status) {
    auto status = (*migration)->CutoverStatus();
    if (!status) return ReportError(status.error());
    std::cout << status->dump(2) << "\n";
    return kExitOk;
  }
  auto summary = rollback ? (*migration)->RunRollback(options.cutover)
                          : (*migration)->RunCutover(options.cutover);
  if (!summary) return ReportError(summary.error());
  if (options.json)
    std::cout << CutoverSummaryToJson(*summary).dump(2) << "\n";
  else
    std::cout << CutoverSummaryText(*summary);
  if (summary->outcome == "done" || summary->outcome == "dry run") {
    for (const auto& f : summary->findings)
      if (f.rfind("blocker", 0) == 0) return kExitProblemFound;
    return kExitOk;
  }
  return kExitProblemFound;
}

}  // namespace peerlock
