#include "control/migration_hooks.h"

#include "engine/cutover/hook_runner.h"

namespace peerlock {

Status RunPlanHook(const EngineContext& ctx, const std::string& name, const std::string& phase,
                   const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env = {{"PEERLOCK_MIGRATION", ctx.migration},
                                            {"PEERLOCK_PHASE", phase},
                                            {"PEERLOCK_SOURCE_URL", ctx.source.Redacted()},
                                            {"PEERLOCK_TARGET_URL", ctx.target.Redacted()}};
  env.insert(extra.begin(), extra.end());
  PL_ASSIGN(HookOutcome outcome, RunHook(*ctx.plan, name, env, ctx.cancel));
  (void)outcome;
  return {};
}

}  // namespace peerlock
