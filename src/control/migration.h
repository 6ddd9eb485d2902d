#pragma once
// The control facade: one migration (a plan plus its state directory) and every action on it.
// The CLI and, later, PeerLock Server call only this, so they cannot disagree about what a
// command does. Not thread-safe: one command at a time per instance.

#include <memory>
#include <string>

#include "connector/registry.h"
#include "engine/copy/copy_step.h"
#include "engine/cutover/cutover_step.h"
#include "engine/report/report_renderer.h"
#include "engine/sync/sync_step.h"
#include "engine/systems/systems_inventory.h"
#include "engine/verify/verify_step.h"
#include "plan/inventory.h"
#include "state/state_store.h"

namespace peerlock {

// Which migration a command is about: a plan file, or two URLs.
struct MigrationRef {
  std::string plan_file;   // peerlock.yaml; empty when URLs are given
  std::string source_url;  // used when plan_file is empty
  std::string target_url;
  std::string state_dir;  // overrides `<plan dir>/.peerlock` (or ./.peerlock without a plan)
  bool terminal = false;  // draw progress bars
};

class Migration {
 public:
  static Result<std::unique_ptr<Migration>> Open(const ConnectorRegistry& registry,
                                                 const MigrationRef& ref);

  // Also probes the plan's systems and draws the dependency diagram: see systems() and the
  // files it writes (diagram_files()).
  Result<Inventory> RunInventory();
  // What the last RunInventory found about the systems.
  const SystemsInventory& systems() const { return systems_; }
  // The diagram files the last RunInventory wrote: .mmd, .dot, .svg under the state directory.
  const std::vector<std::string>& diagram_files() const { return diagram_files_; }
  Result<CopySummary> RunCopy(CopyOptions options);
  Result<VerifyResult> RunVerify(VerifyOptions options);
  Result<std::string> Report(ReportFormat format);
  Result<SyncSummary> RunSync(const SyncOptions& options);
  Result<nlohmann::json> SyncStatus();
  Status DropSync();
  Result<SyncSummary> RunReverseSync(const SyncOptions& options);
  Result<nlohmann::json> ReverseSyncStatus();
  Result<CutoverSummary> RunCutover(const CutoverOptions& options);
  Result<CutoverSummary> RunRollback(const CutoverOptions& options);
  Result<nlohmann::json> CutoverStatus();

  const Plan& plan() const { return plan_; }
  StateStore& state() { return *state_; }
  const EngineContext& context() const { return ctx_; }

 private:
  Migration() = default;
  Plan plan_;
  std::unique_ptr<StateStore> state_;
  EngineContext ctx_;
  SystemsInventory systems_;
  std::vector<std::string> diagram_files_;
};

// Writes the commented plan for `source_url` -> `target_url` to `out` (refusing to overwrite).
Status WritePlanTemplate(const ConnectorRegistry& registry, const std::string& source_url,
                         const std::string& target_url, const std::string& out);

// Checks the audit log in `state_dir` (see MigrationRef::state_dir for the default).
Result<AuditCheck> VerifyAuditLog(const MigrationRef& ref);

}  // namespace peerlock
