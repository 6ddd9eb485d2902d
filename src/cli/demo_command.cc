// `peerlock demo`: the main job on the embedded default. Generates a legacy shop database,
// writes a plan, then runs a warm migration into a new SQLite database while an application keeps
// placing orders: inventory -> sync -> cutover -> reverse sync -> rollback -> sync -> cutover ->
// verify -> report, checking that every order the application saw committed survived.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/demo_application.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "connectors/sqlite/sqlite_demo_shop.h"
#include "control/migration_backup.h"

namespace peerlock {
namespace {

int Fails(const Error& error, const std::string& step) {
  Error e = error;
  e.Context("demo " + step);
  return ReportError(e);
}

// How many of `ids` the orders table of `db_path` lacks.
Result<int64_t> CountMissingOrders(const std::string& db_path, const std::vector<int64_t>& ids) {
  Endpoint endpoint;
  PL_ASSIGN(endpoint, Endpoint::Parse("sqlite://" + db_path));
  SqliteConnector sqlite;
  PL_ASSIGN(auto session, sqlite.Connect(endpoint, SessionOptions{.read_only = true}));
  int64_t missing = 0;
  for (size_t i = 0; i < ids.size(); i += 500) {
    std::vector<std::string> chunk;
    for (size_t j = i; j < std::min(ids.size(), i + 500); ++j)
      chunk.push_back(std::to_string(ids[j]));
    PL_ASSIGN(int64_t found, session->RunReadQuery("SELECT id FROM orders WHERE id IN (" +
                                                   Join(chunk, ",") + ")"));
    missing += static_cast<int64_t>(chunk.size()) - found;
  }
  return missing;
}

}  // namespace

int RunDemo(const ConnectorRegistry& registry, const DemoOptions& options, bool terminal) {
  namespace fs = std::filesystem;
  auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec)
    return ReportError(Error(ErrorCode::kIo, "cannot create " + options.dir + ": " + ec.message()));
  fs::path dir = fs::absolute(options.dir);
  std::string legacy = (dir / "legacy.db").string(), target = (dir / "migrated.db").string();
  std::string plan_file = (dir / "peerlock.yaml").string();

  fmt::print("PeerLock demo in {}\n\n1. generating the legacy shop database {} ...\n", dir.string(),
             legacy);
  auto shop = CreateDemoShop(legacy, DemoShopOptions{.scale = options.scale});
  if (!shop) return Fails(shop.error(), "generating the legacy database");
  for (const auto& [table, rows] : shop->table_rows)
    fmt::print("   {:<14} {:>9} rows\n", table, rows);
  if (options.generate_only) return kExitOk;

  // A fresh run every time: the demo's target and state belong to the demo.
  for (const auto& stale : {target, target + "-journal", target + "-wal", target + "-shm"})
    fs::remove(stale, ec);
  fs::remove_all(dir / ".peerlock", ec);
  fs::remove(plan_file, ec);
  if (auto st = WritePlanTemplate(registry, "sqlite://" + legacy, "sqlite://" + target, plan_file);
      !st)
    return Fails(st.error(), "writing the plan");
  // The switch hooks stand in for a load balancer: they tell the demo's application which
  // database to write to.
  fs::remove(dir / "active", ec);
  std::ofstream(plan_file, std::ios::app)
      << "\n# How the demo's application is pointed at a database (docs/cutover.md).\n"
         "hooks:\n  switch_traffic: \"echo target > active\"\n  rollback: \"echo source > "
         "active\"\n  timeout: 10s\n";
  fmt::print("\n2. wrote the plan {}\n", plan_file);

  MigrationRef ref{.plan_file = plan_file, .terminal = terminal};
  auto migration = Migration::Open(registry, ref);
  if (!migration) return Fails(migration.error(), "opening the plan");
  auto& m = **migration;

  fmt::print("\n3. inventory ...\n");
  auto inventory = m.RunInventory();
  if (!inventory) return Fails(inventory.error(), "inventory");
  size_t warnings = inventory->warnings.size();
  for (const auto& t : inventory->tables) warnings += t.warnings.size();
  std::ofstream(dir / "inventory.txt") << InventoryToText(*inventory);
  fmt::print("   {} tables, {} rows, load order {}; {} warning(s) (see {})\n",
             inventory->tables.size(), inventory->total_rows(),
             Join(inventory->graph.load_order, " -> "), warnings, (dir / "inventory.txt").string());

  // The warm migration, with an application writing throughout.
  fmt::print("\n4. an application starts placing orders in the legacy database ...\n");
  DemoApplication app(dir.string(), legacy, target);
  auto fail = [&](const Error& e, const std::string& step) {
    app.Stop();
    return Fails(e, step);
  };
  std::vector<std::string> keyed, keyless;
  for (const auto& t : inventory->tables)
    (t.mapping.keyless || t.mapping.source_key.row_id ? keyless : keyed).push_back(t.table.name);
  if (!keyless.empty()) {
    fmt::print("\n5. copy {} (no primary key: copied cold, the application never writes it) ...\n",
               Join(keyless, ", "));
    auto copy = m.RunCopy(CopyOptions{.workers = options.workers,
                                      .tables = keyless,
                                      .chunk_rows = m.plan().copy.chunk_rows,
                                      .batch_rows = m.plan().copy.batch_rows});
    if (!copy) return fail(copy.error(), "copy");
    fmt::print("   copied {} rows in {}\n", copy->rows, HumanDuration(copy->seconds));
  }
  fmt::print("\n6. sync {}: copy a snapshot, then apply every order placed since ...\n",
             Join(keyed, ", "));
  auto sync =
      m.RunSync(SyncOptions{.tables = keyed, .workers = options.workers, .until_caught_up = true});
  if (!sync) return fail(sync.error(), "sync");
  fmt::print("   copied {} rows, then applied {} changes; caught up ({} orders placed so far)\n",
             sync->copied_rows, sync->changes, app.Acknowledged().size());

  auto cutover = [&](const std::string& title) -> int {
    fmt::print("\n{} cutover: freeze the legacy database, drain, verify, switch ...\n", title);
    auto done = m.RunCutover(CutoverOptions{});
    if (!done) return fail(done.error(), "cutover");
    fmt::print("{}", CutoverSummaryText(*done));
    return done->outcome == "done" ? kExitOk : kExitProblemFound;
  };
  if (int rc = cutover("7."); rc != kExitOk) return rc;
  app.WaitForOrders(100);
  fmt::print(
      "\n8. the application now writes to {}; the reverse sync keeps the legacy "
      "database current ...\n",
      target);
  auto reverse = m.RunReverseSync(SyncOptions{.until_caught_up = true});
  if (!reverse) return fail(reverse.error(), "reverse sync");
  fmt::print("   applied {} changes back into the legacy database\n", reverse->changes);

  fmt::print(
      "\n9. rollback: freeze the new database, drain it into the legacy one, switch "
      "back ...\n");
  auto rollback = m.RunRollback(CutoverOptions{});
  if (!rollback) return fail(rollback.error(), "rollback");
  fmt::print("{}", CutoverSummaryText(*rollback));
  app.WaitForOrders(100);
  fmt::print("\n10. forward again: the sync follows from the rollback's point, no copy ...\n");
  auto again = m.RunSync(SyncOptions{.until_caught_up = true});
  if (!again) return fail(again.error(), "sync");
  fmt::print("   applied {} changes\n", again->changes);
  if (int rc = cutover("11."); rc != kExitOk) return rc;
  app.WaitForOrders(100);
  app.Stop();

  fmt::print("\n12. every order the application saw committed is in {}?\n", target);
  const std::vector<int64_t> acked = app.Acknowledged();
  auto back = m.RunReverseSync(SyncOptions{.until_caught_up = true});
  if (!back) return Fails(back.error(), "reverse sync");
  auto verify = m.RunVerify(VerifyOptions{
      .workers = options.workers, .sample = 100, .chunk_rows = m.plan().copy.chunk_rows});
  if (!verify) return Fails(verify.error(), "verify");
  auto missing = CountMissingOrders(target, acked);
  if (!missing) return Fails(missing.error(), "checking the orders");
  fmt::print("   {} orders acknowledged ({} writes refused while frozen and retried), {} missing\n",
             acked.size(), app.refused(), *missing);
  fmt::print("   verify, legacy (kept current by the reverse sync) against migrated:\n{}",
             VerifyResultToText(*verify));

  fmt::print("\n13. backup of {} and a restore drill into a scratch file ...\n", target);
  auto backup = BackupDatabase(m, "target", "");
  if (!backup) return Fails(backup.error(), "backup");
  auto drill = RestoreDrill(m, registry, backup->dir, "", /*verify=*/true, "");
  if (!drill) return Fails(drill.error(), "restore drill");
  fmt::print("   {}\n   {}\n", backup->dir, drill->summary.value("evidence", std::string()));

  fmt::print("\n14. report ...\n");
  for (auto [format, name] : {std::pair{ReportFormat::kHtml, "report.html"},
                              std::pair{ReportFormat::kMarkdown, "report.md"}}) {
    auto report = m.Report(format);
    if (!report) return Fails(report.error(), "report");
    std::ofstream(dir / name) << *report;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("\nDone in {}. The report is {}\n(also {}; state in {})\n", HumanDuration(seconds),
             (dir / "report.html").string(), (dir / "report.md").string(),
             (dir / ".peerlock").string());
  return verify->equal && *missing == 0 ? kExitOk : kExitProblemFound;
}

}  // namespace peerlock
