// `peerlock demo`: the main job on the embedded default. Generates a legacy shop database,
// writes a plan, then runs inventory -> copy -> verify -> report into a new SQLite database.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "base/strings.h"
#include "cli/commands.h"
#include "connectors/sqlite/sqlite_demo_shop.h"

namespace peerlock {
namespace {

int Fails(const Error& error, const std::string& step) {
  Error e = error;
  e.Context("demo " + step);
  return ReportError(e);
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

  fmt::print("\n4. copy into {} ...\n", target);
  auto copy = m.RunCopy(CopyOptions{.workers = options.workers,
                                    .chunk_rows = m.plan().copy.chunk_rows,
                                    .batch_rows = m.plan().copy.batch_rows});
  if (!copy) return Fails(copy.error(), "copy");
  fmt::print("   copied {} rows in {} ({} rows/s)\n", copy->rows, HumanDuration(copy->seconds),
             HumanCount(copy->seconds > 0 ? copy->rows / copy->seconds : 0));

  fmt::print(
      "\n5. verify (row counts and per-chunk digests of every row, plus 100 sampled rows "
      "per table) ...\n");
  auto verify = m.RunVerify(VerifyOptions{
      .workers = options.workers, .sample = 100, .chunk_rows = m.plan().copy.chunk_rows});
  if (!verify) return Fails(verify.error(), "verify");
  fmt::print("{}", VerifyResultToText(*verify));

  fmt::print("\n6. report ...\n");
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
  return verify->equal ? kExitOk : kExitProblemFound;
}

}  // namespace peerlock
