#include <cstdio>
#include <string>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/roadmap_commands.h"
#include "control/migration_sample.h"

namespace peerlock {

int RunSampleCommand(const ConnectorRegistry& registry, const MigrationRef& ref,
                     const std::string& percent_text, const std::string& into) {
  std::string text = Trim(percent_text);
  if (!text.empty() && text.back() == '%') text.pop_back();
  char* end = nullptr;
  double percent = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) {
    return ReportError(
        Error(ErrorCode::kInvalidArgument, "--sample '" + percent_text + "' is not a percentage")
            .WithHint("write it as 5% (or 0.5%)"));
  }
  auto migration = Migration::Open(registry, ref);
  if (!migration) return ReportError(migration.error());
  CopyOptions copy{.workers = (*migration)->plan().copy.workers,
                   .chunk_rows = (*migration)->plan().copy.chunk_rows,
                   .batch_rows = (*migration)->plan().copy.batch_rows};
  auto outcome = CopySample(**migration, registry, percent, into, copy);
  if (!outcome) return ReportError(outcome.error());
  std::printf("%s\n", outcome->summary.value("evidence", std::string()).c_str());
  for (const auto& t : outcome->summary["copied_whole"]) {
    std::printf("copied whole (no single integer key to sample by): %s\n",
                t.get<std::string>().c_str());
  }
  return outcome->passed ? kExitOk : kExitProblemFound;
}

}  // namespace peerlock
