// peerlock: the command line. The only place that names concrete connectors.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "base/cancel.h"
#include "base/log.h"
#include "base/strings.h"
#include "cli/backup_command.h"
#include "cli/commands.h"
#include "cli/cutover_command.h"
#include "cli/proxy_command.h"
#include "cli/roadmap_commands.h"
#include "cli/sync_command.h"
#include "connectors/mysql/mysql_connector.h"
#include "connectors/postgres/postgres_connector.h"
#include "connectors/sqlite/sqlite_connector.h"

namespace {

using namespace peerlock;

// --plan / --source / --target / --state, shared by every migration command.
void AddMigrationOptions(CLI::App* cmd, MigrationRef& ref) {
  cmd->add_option("--plan", ref.plan_file, "plan file (peerlock.yaml)");
  cmd->add_option("--source", ref.source_url, "source URL, e.g. sqlite:///abs/legacy.db");
  cmd->add_option("--target", ref.target_url, "target URL, e.g. sqlite://new.db");
  cmd->add_option("--state", ref.state_dir, "state directory (default: .peerlock beside the plan)");
}

}  // namespace

int main(int argc, char** argv) {
  ConnectorRegistry registry;
  registry.Register(std::make_unique<SqliteConnector>());
  registry.Register(std::make_unique<MysqlConnector>(), {"mariadb"});
  registry.Register(std::make_unique<PostgresConnector>(), {"postgres"});

  CLI::App app{"PeerLock: move a live system's data to a new server and prove nothing was lost"};
  app.require_subcommand(1);
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "debug logging");
  app.add_flag("-q,--quiet", quiet, "warnings and errors only");
  MigrationRef ref;
  ref.terminal = isatty(STDERR_FILENO) && std::getenv("CI") == nullptr;

  std::string init_out = "peerlock.yaml";
  auto* init = app.add_subcommand("init", "write a commented plan file");
  AddMigrationOptions(init, ref);
  init->add_option("--out", init_out, "file to write");

  bool json = false;
  auto* plan_cmd = app.add_subcommand("plan", "validate the plan and print its ordered steps");
  plan_cmd->add_option("--plan", ref.plan_file, "plan file (default peerlock.yaml)");
  plan_cmd->add_flag("--json", json, "machine-readable output");

  auto* check_cmd = app.add_subcommand("check", "preflight: what must be fixed before migrating");
  AddMigrationOptions(check_cmd, ref);
  check_cmd->add_flag("--json", json, "machine-readable output");

  std::string wave_name, approve_step, approved_by;
  auto* migrate_cmd = app.add_subcommand("migrate", "run one wave of the plan, up to its gate");
  AddMigrationOptions(migrate_cmd, ref);
  migrate_cmd->add_option("--wave", wave_name, "the wave to run (peerlock plan lists them)");
  bool wave_again = false;
  migrate_cmd->add_flag("--again", wave_again,
                        "copy a filtered wave that already ran once more (remove its rows from "
                        "the target first: they would be there twice)");
  auto* approve_cmd = app.add_subcommand("approve", "approve a gate, e.g. gate:pilot");
  AddMigrationOptions(approve_cmd, ref);
  approve_cmd->add_option("step", approve_step, "the gate's step id")->required();
  approve_cmd->add_option("--by", approved_by, "who approves (default $USER)");
  auto* pause_cmd = app.add_subcommand("pause", "stop starting new waves");
  AddMigrationOptions(pause_cmd, ref);
  auto* resume_cmd = app.add_subcommand("resume", "allow waves to start again");
  AddMigrationOptions(resume_cmd, ref);

  int bench_runs = 20;
  auto* bench_cmd = app.add_subcommand("bench", "time the plan's queries on source and target");
  AddMigrationOptions(bench_cmd, ref);
  bench_cmd->add_option("--runs", bench_runs, "timed runs per query and side")
      ->check(CLI::Range(1, 100000));
  bench_cmd->add_flag("--json", json, "machine-readable output");

  auto* status_cmd = app.add_subcommand("status", "where the migration stands: the checklist");
  AddMigrationOptions(status_cmd, ref);
  status_cmd->add_flag("--json", json, "machine-readable output");

  auto* inventory = app.add_subcommand("inventory", "list what the source holds and how it moves");
  AddMigrationOptions(inventory, ref);
  inventory->add_flag("--json", json, "machine-readable output");

  CopyOptions copy_options;
  std::string tables, if_exists = "fail";
  auto* copy = app.add_subcommand("copy", "copy the data (cold), resumable");
  AddMigrationOptions(copy, ref);
  auto* workers_opt = copy->add_option("--workers", copy_options.workers, "parallel readers")
                          ->check(CLI::Range(1, 64));
  copy->add_flag("--resume", copy_options.resume, "continue the last interrupted copy");
  std::string sample, sample_into;
  copy->add_option("--sample", sample, "proof of concept: a P% subset keeping foreign keys");
  copy->add_option("--into", sample_into, "with --sample: the staging target URL");
  copy->add_option("--tables", tables, "comma-separated source tables");
  copy->add_option("--if-exists", if_exists, "non-empty target table: fail|replace|append")
      ->check(CLI::IsMember({"fail", "replace", "append"}));

  SyncCommandOptions sync_options;
  std::string sync_tables, sync_if_exists = "fail";
  auto* sync = app.add_subcommand("sync", "copy, then follow the source's changes (warm)");
  AddMigrationOptions(sync, ref);
  auto* sync_workers = sync->add_option("--workers", sync_options.sync.workers,
                                        "parallel readers of the initial copy")
                           ->check(CLI::Range(1, 64));
  sync->add_option("--tables", sync_tables, "comma-separated source tables");
  sync->add_option("--if-exists", sync_if_exists, "non-empty target table: fail|replace|append")
      ->check(CLI::IsMember({"fail", "replace", "append"}));
  sync->add_flag("--until-caught-up", sync_options.sync.until_caught_up,
                 "stop once every change committed before streaming began is applied");
  sync->add_flag("--status", sync_options.status, "show the sync's lag and progress, and exit");
  sync->add_flag("--drop", sync_options.drop,
                 "remove the capture (slot, publication, triggers) and start over next time");
  sync->add_flag("--json", sync_options.json, "machine-readable --status");
  sync->add_flag("--reverse", sync_options.reverse,
                 "after a cutover: follow the target's changes into the old source");

  CutoverCommandOptions cutover_options;
  auto cutover_cmds = AddCutoverCommands(app, cutover_options,
                                         [&](CLI::App* cmd) { AddMigrationOptions(cmd, ref); });

  VerifyOptions verify_options;
  auto* verify = app.add_subcommand("verify", "prove the target holds what the source holds");
  AddMigrationOptions(verify, ref);
  verify->add_flag("--json", json, "machine-readable output");
  verify->add_option("--sample", verify_options.sample, "also compare N random rows per table")
      ->check(CLI::NonNegativeNumber);
  verify->add_option("--workers", verify_options.workers, "parallel comparisons")
      ->check(CLI::Range(1, 64));
  std::string verify_tables;
  verify->add_option("--tables", verify_tables, "comma-separated source tables");

  std::string format = "md", report_out;
  auto* report = app.add_subcommand("report", "render what the state store recorded");
  AddMigrationOptions(report, ref);
  report->add_option("--format", format, "md|json|html");
  report->add_option("--out", report_out,
                     "file (default .peerlock/reports/report-<time>.<ext>; - for stdout)");

  auto* audit = app.add_subcommand("audit", "the hash-chained audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "detect edited or deleted entries");
  AddMigrationOptions(audit_verify, ref);

  DemoOptions demo_options;
  auto* demo = app.add_subcommand("demo", "the whole migration on a generated SQLite shop");
  demo->add_option("--dir", demo_options.dir, "working directory");
  demo->add_option("--scale", demo_options.scale, "1.0 = about a million rows")
      ->check(CLI::Range(0.0001, 1000.0));
  demo->add_flag("--generate-only", demo_options.generate_only, "only create DIR/legacy.db");
  demo->add_option("--workers", demo_options.workers, "parallel readers")->check(CLI::Range(1, 64));

  BackupCommandOptions backup_options;
  BackupCommands backup_cmds = AddBackupCommands(
      app, backup_options, [&ref](CLI::App* cmd) { AddMigrationOptions(cmd, ref); });

  ProxyCommandOptions proxy_options;
  auto* proxy = AddProxyCommand(app, proxy_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  InitLogging(verbose ? LogLevel::kDebug : quiet ? LogLevel::kQuiet : LogLevel::kInfo);
  InstallCancelSignalHandlers();

  if (*init) return RunInit(registry, ref, init_out);
  if (*plan_cmd) return RunPlanCommand(ref, json);
  if (*migrate_cmd) return RunMigrateCommand(registry, ref, wave_name, CopyOptions{}, wave_again);
  if (*approve_cmd) return RunApproveCommand(registry, ref, approve_step, approved_by);
  if (*pause_cmd) return RunPauseCommand(registry, ref, true);
  if (*resume_cmd) return RunPauseCommand(registry, ref, false);
  if (*bench_cmd) return RunBenchCommand(registry, ref, bench_runs, json);
  if (*check_cmd) return RunCheckCommand(registry, ref, json);
  if (*status_cmd) return RunStatusCommand(registry, ref, json);
  if (*inventory) return RunInventoryCommand(registry, ref, json);
  if (*copy && !sample.empty()) return RunSampleCommand(registry, ref, sample, sample_into);
  if (*copy) {
    copy_options.tables = tables.empty() ? std::vector<std::string>{} : Split(tables, ',');
    copy_options.if_exists = if_exists == "replace"  ? IfExists::kReplace
                             : if_exists == "append" ? IfExists::kAppend
                                                     : IfExists::kFail;
    return RunCopyCommand(registry, ref, copy_options, workers_opt->count() > 0);
  }
  if (*sync) {
    sync_options.sync.tables =
        sync_tables.empty() ? std::vector<std::string>{} : Split(sync_tables, ',');
    sync_options.sync.if_exists = sync_if_exists == "replace"  ? IfExists::kReplace
                                  : sync_if_exists == "append" ? IfExists::kAppend
                                                               : IfExists::kFail;
    sync_options.workers_given = sync_workers->count() > 0;
    return RunSyncCommand(registry, ref, sync_options);
  }
  if (*verify) {
    verify_options.tables =
        verify_tables.empty() ? std::vector<std::string>{} : Split(verify_tables, ',');
    return RunVerifyCommand(registry, ref, verify_options, json);
  }
  if (*report) return RunReportCommand(registry, ref, format, report_out);
  if (*audit_verify) return RunAuditVerify(ref);
  if (*backup_cmds.backup) return RunBackupCommand(registry, ref, backup_options);
  if (*backup_cmds.restore) return RunRestoreCommand(registry, ref, backup_options);
  if (*backup_cmds.archive) return RunArchiveCommand(registry, ref, backup_options);
  if (*backup_cmds.purge) return RunPurgeCommand(registry, ref, backup_options);
  if (*proxy) return RunProxyCommand(proxy_options);
  if (*cutover_cmds.cutover) return RunCutoverCommand(registry, ref, cutover_options, false);
  if (*cutover_cmds.rollback) return RunCutoverCommand(registry, ref, cutover_options, true);
  if (*demo) return RunDemo(registry, demo_options, ref.terminal);
  return kExitBadInput;
}
