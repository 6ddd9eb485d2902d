#include "control/migration.h"

#include <filesystem>
#include <fstream>

#include "base/strings.h"
#include "control/migration_hooks.h"

namespace peerlock {
namespace {

std::string StateDirFor(const MigrationRef& ref) {
  if (!ref.state_dir.empty()) return ref.state_dir;
  if (!ref.plan_file.empty()) {
    auto dir = std::filesystem::absolute(ref.plan_file).parent_path();
    return (dir / ".peerlock").string();
  }
  return ".peerlock";
}

// Resolves an endpoint's password from the environment or a file named in the plan.
Result<Endpoint> ResolveEndpoint(const EndpointSpec& spec, const std::string& role) {
  PL_ASSIGN(Endpoint endpoint, WithContext(Endpoint::Parse(spec.url), role + " URL"));
  if (!spec.password_env.empty()) {
    const char* value = std::getenv(spec.password_env.c_str());
    if (!value)
      return Fail(Error(ErrorCode::kInvalidArgument,
                        role + " password_env names " + spec.password_env + ", which is not set")
                      .WithHint("export " + spec.password_env + " before running PeerLock"));
    endpoint.set_password(value);
  } else if (!spec.password_file.empty()) {
    std::ifstream in(spec.password_file);
    std::string line;
    if (!in || !std::getline(in, line))
      return Fail(Error(ErrorCode::kInvalidArgument,
                        role + " password_file " + spec.password_file + " cannot be read")
                      .WithHint("check the path and its permissions"));
    endpoint.set_password(Trim(line));
  }
  return endpoint;
}

// The diagram beside the state store, where a wiki or `dot` can pick it up.
Result<std::vector<std::string>> WriteDiagramFiles(const std::string& state_dir,
                                                   const SystemsInventory& systems) {
  std::vector<std::string> files;
  for (const auto& [name, text] :
       {std::pair{"dependencies.mmd", &systems.mermaid},
        std::pair{"dependencies.dot", &systems.dot}, std::pair{"dependencies.svg", &systems.svg}}) {
    std::string path = (std::filesystem::path(state_dir) / name).string();
    std::ofstream out(path);
    out << *text;
    if (!out.flush())
      return Fail(Error(ErrorCode::kIo, "cannot write " + path)
                      .WithHint("check permissions and free space in " + state_dir));
    files.push_back(path);
  }
  return files;
}

}  // namespace

Result<std::unique_ptr<Migration>> Migration::Open(const ConnectorRegistry& registry,
                                                   const MigrationRef& ref) {
  auto m = std::unique_ptr<Migration>(new Migration());
  if (!ref.plan_file.empty()) {
    if (!ref.source_url.empty() || !ref.target_url.empty())
      return Fail(Error(ErrorCode::kInvalidArgument, "give either --plan or --source/--target")
                      .WithHint("the plan file already names the source and target"));
    PL_ASSIGN(m->plan_, LoadPlanFile(ref.plan_file));
  } else {
    if (ref.source_url.empty() || ref.target_url.empty())
      return Fail(
          Error(ErrorCode::kInvalidArgument, "no migration given")
              .WithHint("pass --plan peerlock.yaml, or both --source URL and --target URL"));
    m->plan_ = PlanFromUrls(ref.source_url, ref.target_url);
  }
  EngineContext& ctx = m->ctx_;
  ctx.plan = &m->plan_;
  PL_ASSIGN(ctx.source, ResolveEndpoint(m->plan_.source, "source"));
  PL_ASSIGN(ctx.target, ResolveEndpoint(m->plan_.target, "target"));
  PL_ASSIGN(ctx.source_connector, registry.Find(ctx.source));
  PL_ASSIGN(ctx.target_connector, registry.Find(ctx.target));
  PL_ASSIGN(m->state_, StateStore::Open(StateDirFor(ref)));
  ctx.state = m->state_.get();
  ctx.migration = StateStore::MigrationKey(ctx.source.Redacted(), ctx.target.Redacted());
  ctx.cancel = &ProcessCancelFlag();
  ctx.terminal = ref.terminal;
  return m;
}

Result<Inventory> Migration::RunInventory() {
  PL_ASSIGN(RunRecord run, state_->StartRun(ctx_.migration, "inventory", ctx_.source.Redacted(),
                                            ctx_.target.Redacted(), nlohmann::json::object()));
  auto inventory = LoadInventory(ctx_, /*count_rows=*/true);
  if (!inventory) {
    (void)state_->FinishRun(run.id, "failed", {{"error", inventory.error().message()}});
    return inventory;  // the inventory error is the one to report
  }
  constexpr double kProbeTimeoutSeconds = 5;
  systems_ = InventorySystems(plan_, inventory->graph, ctx_.source, /*source_read=*/true,
                              ctx_.target, kProbeTimeoutSeconds);
  PL_ASSIGN(diagram_files_, WriteDiagramFiles(state_->dir(), systems_));
  std::vector<std::string> warnings = inventory->warnings;
  for (const auto& problem : systems_.graph.wave_problems) warnings.push_back(problem);
  for (const SystemHealth& h : systems_.health) {
    if (!h.ok && h.state != "not probed")
      warnings.push_back(h.name + " is " + h.state + ": " + h.detail);
  }
  int64_t bytes = 0;
  for (const auto& t : inventory->tables) {
    bytes += std::max<int64_t>(t.table.bytes, 0);
    for (const auto& w : t.warnings) warnings.push_back(t.table.name + ": " + w);
  }
  PL_TRY(state_->FinishRun(run.id, "succeeded",
                           {{"tables", inventory->tables.size()},
                            {"rows", inventory->total_rows()},
                            {"bytes", bytes},
                            {"load_order", inventory->graph.load_order},
                            {"warnings", warnings},
                            {"systems", SystemsInventoryToJson(systems_)},
                            {"diagram_svg", systems_.svg}}));
  PL_TRY(state_->audit().Append(ctx_.migration, "inventory",
                                {{"run", run.uid}, {"tables", inventory->tables.size()}}));
  return inventory;
}

Result<CopySummary> Migration::RunCopy(CopyOptions options) {
  PL_TRY(RunPlanHook(ctx_, "before_copy", "copy"));
  PL_ASSIGN(CopySummary copied, peerlock::RunCopy(ctx_, options));
  PL_TRY(RunPlanHook(ctx_, "after_copy", "copy"));
  return copied;
}

Result<VerifyResult> Migration::RunVerify(VerifyOptions options) {
  return peerlock::RunVerify(ctx_, options);
}

Result<SyncSummary> Migration::RunSync(const SyncOptions& options) {
  return peerlock::RunSync(ctx_, options);
}

Result<nlohmann::json> Migration::SyncStatus() { return peerlock::SyncStatus(ctx_); }

Status Migration::DropSync() { return peerlock::DropSync(ctx_); }

Result<SyncSummary> Migration::RunReverseSync(const SyncOptions& options) {
  return peerlock::RunReverseSync(ctx_, options);
}

Result<nlohmann::json> Migration::ReverseSyncStatus() { return peerlock::ReverseSyncStatus(ctx_); }

Result<CutoverSummary> Migration::RunCutover(const CutoverOptions& options) {
  return peerlock::RunCutover(ctx_, options);
}

Result<CutoverSummary> Migration::RunRollback(const CutoverOptions& options) {
  return peerlock::RunRollback(ctx_, options);
}

Result<nlohmann::json> Migration::CutoverStatus() { return peerlock::CutoverStatus(ctx_); }

Result<std::string> Migration::Report(ReportFormat format) {
  return RenderReport(*state_, ReportInput{.migration = ctx_.migration, .plan = &plan_}, format);
}

Status WritePlanTemplate(const ConnectorRegistry& registry, const std::string& source_url,
                         const std::string& target_url, const std::string& out) {
  PL_ASSIGN(Endpoint source, WithContext(Endpoint::Parse(source_url), "--source"));
  PL_ASSIGN(Endpoint target, WithContext(Endpoint::Parse(target_url), "--target"));
  PL_TRY(registry.Find(source));
  PL_TRY(registry.Find(target));
  if (std::filesystem::exists(out))
    return Fail(Error(ErrorCode::kInvalidArgument, out + " already exists")
                    .WithHint("choose another name with --out, or remove it first"));
  std::ofstream file(out);
  file << RenderPlanTemplate(PlanFromUrls(source_url, target_url));
  if (!file.flush())
    return Fail(
        Error(ErrorCode::kIo, "cannot write " + out).WithHint("check permissions and disk space"));
  return {};
}

Result<AuditCheck> VerifyAuditLog(const MigrationRef& ref) {
  PL_ASSIGN(auto state, StateStore::Open(StateDirFor(ref)));
  return state->audit().Verify();
}

}  // namespace peerlock
