#include "plan/plan_steps.h"

#include <fmt/format.h>

#include <set>

#include "base/strings.h"
#include "plan/rollback_criteria.h"

namespace peerlock {
namespace {

std::string OrNone(const std::vector<std::string>& names) {
  return names.empty() ? "none" : Join(names, ", ");
}

std::string HookLine(const Plan& plan, const std::string& name) {
  const HookSpec* hook = plan.FindHook(name);
  if (!hook) return "";
  return fmt::format("hook {}: {} (timeout {})", name, hook->command,
                     FormatSeconds(hook->timeout_seconds));
}

void AddHook(const Plan& plan, const std::string& name, std::vector<std::string>& details) {
  std::string line = HookLine(plan, name);
  if (!line.empty()) details.push_back(line);
}

// The windows that name `wave`, as "window pilot: <start> to <end>".
void AddWindows(const Plan& plan, const std::string& wave, std::vector<std::string>& details) {
  for (const ScheduleWindow& window : plan.schedule) {
    for (const std::string& name : window.waves) {
      if (name != wave) continue;
      std::string end =
          window.end.empty()
              ? "+" + FormatSeconds(static_cast<double>(window.end_epoch - window.start_epoch))
              : window.end;
      details.push_back(fmt::format("window {}: {} to {}", window.name, window.start, end));
    }
  }
}

void AddWaveSteps(const Plan& plan, std::vector<PlanStep>& steps) {
  for (const WaveSpec& wave : plan.waves) {
    PlanStep move{.id = "wave:" + wave.name,
                  .phase = "pilot and staged waves",
                  .title = fmt::format("wave {}: copy, sync and verify", wave.name),
                  .command = "peerlock migrate --wave " + wave.name};
    if (!wave.tables.empty()) move.details.push_back("tables: " + Join(wave.tables, ", "));
    if (!wave.where.empty()) move.details.push_back("rows where: " + wave.where);
    if (!wave.systems.empty()) move.details.push_back("systems: " + Join(wave.systems, ", "));
    if (!wave.owner.empty()) move.details.push_back("owner: " + wave.owner);
    AddWindows(plan, wave.name, move.details);
    steps.push_back(std::move(move));
    if (wave.approve) {
      steps.push_back({.id = "gate:" + wave.name,
                       .phase = "pilot and staged waves",
                       .title = fmt::format("gate: approve wave {} before its cutover", wave.name),
                       .details = {"the migration stops here until someone approves"},
                       .command = "peerlock approve gate:" + wave.name,
                       .gate = true});
    }
    PlanStep cutover{.id = "cutover:" + wave.name,
                     .phase = "pilot and staged waves",
                     .title = fmt::format("wave {}: cut over", wave.name),
                     .command = "peerlock migrate --wave " + wave.name};
    AddHook(plan, "switch_traffic", cutover.details);
    AddHook(plan, "smoke_test", cutover.details);
    steps.push_back(std::move(cutover));
  }
}

}  // namespace

std::vector<PlanStep> BuildPlanSteps(const Plan& plan) {
  std::vector<PlanStep> steps;
  std::vector<std::string> system_names = {"source", "target"};
  for (const SystemSpec& system : plan.systems) system_names.push_back(system.name);
  steps.push_back(
      {.id = "inventory",
       .phase = "inventory and dependencies",
       .title = "inventory every system and the dependency graph",
       .details = {"systems: " + Join(system_names, ", "),
                   "tables: include " + Join(plan.include, ", ") +
                       (plan.exclude.empty() ? "" : "; exclude " + Join(plan.exclude, ", ")),
                   "migration order: parents before children, reference data first"},
       .command = "peerlock inventory"});
  steps.push_back({.id = "check",
                   .phase = "environment checks",
                   .title = "preflight: connectivity, versions, privileges, disk, replication "
                            "settings, types and risks",
                   .details = {"any blocker stops the migration here"},
                   .command = "peerlock check"});
  PlanStep sample{.id = "sample",
                  .phase = "proof of concept",
                  .title = "proof of concept: a sample keeping foreign keys intact, verified",
                  .command = "peerlock copy --sample 5%"};
  if (!plan.objectives.queries.empty()) {
    sample.details.push_back(
        fmt::format("bench {} queries on source and target", plan.objectives.queries.size()));
  }
  steps.push_back(std::move(sample));

  AddWaveSteps(plan, steps);
  std::set<std::string> in_waves;
  for (const WaveSpec& wave : plan.waves) {
    if (wave.where.empty()) in_waves.insert(wave.tables.begin(), wave.tables.end());
  }
  PlanStep rest{.id = "copy",
                .phase = "data move",
                .title = plan.waves.empty() ? "copy every table in scope, then verify"
                                            : "copy the tables no wave moved, then verify",
                .command = "peerlock copy && peerlock verify"};
  AddHook(plan, "before_copy", rest.details);
  AddHook(plan, "after_copy", rest.details);
  steps.push_back(std::move(rest));

  PlanStep cutover{.id = "cutover",
                   .phase = "final cutover",
                   .title = "final cutover: last sync, freeze, drain, verify, switch traffic",
                   .command = "peerlock cutover"};
  if (plan.objectives.max_downtime_seconds) {
    cutover.details.push_back("max downtime " +
                              FormatSeconds(*plan.objectives.max_downtime_seconds));
  }
  if (plan.objectives.max_lag_seconds) {
    cutover.details.push_back("starts once lag is under " +
                              FormatSeconds(*plan.objectives.max_lag_seconds));
  }
  for (const char* hook :
       {"before_cutover", "freeze_source", "switch_traffic", "smoke_test", "after_cutover"}) {
    AddHook(plan, hook, cutover.details);
  }
  if (!plan.rollback.when.empty()) {
    cutover.details.push_back("roll back if: " + Join(plan.rollback.when, "; "));
    // Say which criteria nobody but people will watch (plan/rollback_criteria.h).
    std::vector<std::string> people = CriteriaForPeople(plan.rollback.when);
    if (!people.empty())
      cutover.details.push_back("not evaluated by PeerLock (watch it, then `peerlock rollback`): " +
                                Join(people, "; "));
  }
  steps.push_back(std::move(cutover));

  PlanStep post{.id = "post-checks",
                .phase = "post-migration validation",
                .title = "post checks: full verify, systems probed, performance compared",
                .command = "peerlock verify && peerlock bench && peerlock status"};
  for (const QueryTarget& query : plan.objectives.queries) {
    std::string targets;
    if (query.p50_seconds) targets += " p50 <= " + FormatSeconds(*query.p50_seconds);
    if (query.p95_seconds) targets += " p95 <= " + FormatSeconds(*query.p95_seconds);
    post.details.push_back("query " + query.name + ":" + targets);
  }
  steps.push_back(std::move(post));
  steps.push_back({.id = "report",
                   .phase = "lessons learned",
                   .title = "the migration report: timeline, results, checklist, lessons",
                   .command = "peerlock report --format html"});
  return steps;
}

std::string PlanStepsToText(const Plan& plan, const std::vector<PlanStep>& steps) {
  std::string out = fmt::format("plan {}: valid\n", plan.file.empty() ? "(from URLs)" : plan.file);
  out += fmt::format("source: {}\ntarget: {}\n\n", plan.source.url, plan.target.url);
  for (size_t i = 0; i < steps.size(); ++i) {
    const PlanStep& step = steps[i];
    out +=
        fmt::format("{:2}. [{}] {}{}\n", i + 1, step.id, step.title, step.gate ? "  (GATE)" : "");
    for (const std::string& detail : step.details) out += "      " + detail + "\n";
    out += "      run: " + step.command + "\n";
  }
  std::vector<std::string> owners;
  for (const OwnerSpec& owner : plan.owners) owners.push_back(owner.component + ": " + owner.team);
  out += "\nowners: " + OrNone(owners) + "\n";
  out += "rollback: " + (plan.rollback.when.empty() ? std::string("no criteria written")
                                                    : Join(plan.rollback.when, "; "));
  if (plan.rollback.within_seconds) {
    out += " (possible for " + FormatSeconds(*plan.rollback.within_seconds) + " after cutover)";
  }
  out += "\n";
  return out;
}

}  // namespace peerlock
