#include "cli/commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/strings.h"
#include "base/time_text.h"

namespace peerlock {

int ReportError(const Error& error) {
  std::fprintf(stderr, "peerlock: %s: %s\n", ErrorCodeName(error.code()), error.ToString().c_str());
  return ExitCodeFor(error.code());
}

int RunInit(const ConnectorRegistry& registry, const MigrationRef& ref, const std::string& out) {
  if (ref.source_url.empty() || ref.target_url.empty())
    return ReportError(Error(ErrorCode::kInvalidArgument, "init needs --source and --target")
                           .WithHint("peerlock init --source sqlite:///legacy.db --target "
                                     "sqlite://new.db"));
  if (auto st = WritePlanTemplate(registry, ref.source_url, ref.target_url, out); !st)
    return ReportError(st.error());
  std::printf("wrote %s: review it, then run `peerlock inventory --plan %s`\n", out.c_str(),
              out.c_str());
  return kExitOk;
}

int RunInventoryCommand(const ConnectorRegistry& registry, const MigrationRef& ref, bool json) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto inventory = (*migration)->RunInventory();
  if (!inventory) return ReportError(inventory.error());
  const SystemsInventory& systems = (*migration)->systems();
  if (json) {
    nlohmann::json out = InventoryToJson(*inventory);
    out.update(SystemsInventoryToJson(systems));
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << InventoryToText(*inventory) << SystemsInventoryToText(systems);
    std::cout << "\nDiagram written to " << Join((*migration)->diagram_files(), ", ") << " ("
              << systems.svg_renderer << " layout)\n";
  }
  return kExitOk;
}

int RunCopyCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                   const CopyOptions& cli_options, bool workers_given) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  CopyOptions options = cli_options;
  const CopySettings& plan = (*migration)->plan().copy;
  if (!workers_given) options.workers = plan.workers;
  options.chunk_rows = plan.chunk_rows;
  options.batch_rows = plan.batch_rows;
  auto summary = (*migration)->RunCopy(options);
  if (!summary) return ReportError(summary.error());
  std::printf("%-28s %-28s %10s %7s %9s\n", "SOURCE TABLE", "TARGET TABLE", "ROWS", "CHUNKS",
              "SECONDS");
  for (const auto& t : summary->tables)
    std::printf("%-28s %-28s %10lld %7d %9.2f\n", t.source_table.c_str(), t.target_table.c_str(),
                static_cast<long long>(t.rows), t.chunks, t.seconds);
  for (const auto& w : summary->warnings) std::printf("warning: %s\n", w.c_str());
  for (const auto& p : summary->foreign_key_problems)
    std::printf("foreign key violation: %s\n", p.c_str());
  std::printf(
      "copied %lld rows in %zu tables in %s (%s rows/s)%s\n", static_cast<long long>(summary->rows),
      summary->tables.size(), HumanDuration(summary->seconds).c_str(),
      HumanCount(summary->seconds > 0 ? summary->rows / summary->seconds : 0).c_str(),
      summary->resumed
          ? fmt::format(", resumed: {} chunk(s) were already in", summary->chunks_already_done)
                .c_str()
          : "");
  return kExitOk;
}

int RunVerifyCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const VerifyOptions& cli_options, bool json) {
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  VerifyOptions options = cli_options;
  options.chunk_rows = (*migration)->plan().copy.chunk_rows;
  auto result = (*migration)->RunVerify(options);
  if (!result) return ReportError(result.error());
  if (json)
    std::cout << VerifyResultToJson(*result).dump(2) << "\n";
  else
    std::cout << VerifyResultToText(*result);
  return result->equal ? kExitOk : kExitProblemFound;
}

int RunReportCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const std::string& format_name, const std::string& out) {
  auto format = ParseReportFormat(format_name);
  if (!format) return ReportError(format.error());
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  auto report = (*migration)->Report(*format);
  if (!report) return ReportError(report.error());
  if (out == "-") {
    std::cout << *report;
    return kExitOk;
  }
  std::string path = out;
  if (path.empty()) {
    // Default: a new file per report under the state directory, so earlier ones are kept.
    std::string stamp = NowUtc().substr(0, 19);  // 2026-11-30T14:03:07
    std::erase(stamp, ':');
    const char* ext = *format == ReportFormat::kHtml   ? "html"
                      : *format == ReportFormat::kJson ? "json"
                                                       : "md";
    std::filesystem::path dir = std::filesystem::path((*migration)->state().dir()) / "reports";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    path = (dir / fmt::format("report-{}.{}", stamp, ext)).string();
  }
  std::ofstream file(path);
  file << *report;
  if (!file.flush())
    return ReportError(Error(ErrorCode::kIo, "cannot write " + path)
                           .WithHint("check the path, its permissions and free space"));
  std::printf("report written to %s\n", path.c_str());
  return kExitOk;
}

int RunAuditVerify(const MigrationRef& ref) {
  auto check = VerifyAuditLog(ref);
  if (!check) return ReportError(check.error());
  if (check->ok()) {
    std::printf("audit log intact: %lld entries, hash chain verified\n",
                static_cast<long long>(check->entries));
    return kExitOk;
  }
  for (const auto& p : check->problems) std::printf("audit problem: %s\n", p.c_str());
  std::printf("audit log TAMPERED: %zu problem(s) in %lld entries\n", check->problems.size(),
              static_cast<long long>(check->entries));
  return kExitProblemFound;
}

}  // namespace peerlock
