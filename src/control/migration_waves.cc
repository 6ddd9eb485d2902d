#include "control/migration_waves.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/strings.h"
#include "control/migration_hooks.h"

namespace peerlock {
namespace {

using nlohmann::json;

// The runs of `kind` in the migration, oldest first.
Result<std::vector<RunRecord>> RunsOf(Migration& m, const std::string& kind) {
  PL_ASSIGN(std::vector<RunRecord> all, m.state().Runs(m.context().migration));
  std::vector<RunRecord> out;
  for (auto& run : all) {
    if (run.kind == kind) out.push_back(std::move(run));
  }
  return out;
}

// The latest wave run of `wave`, or nullopt.
std::optional<RunRecord> LatestWaveRun(const std::vector<RunRecord>& runs,
                                       const std::string& wave) {
  std::optional<RunRecord> latest;
  for (const auto& run : runs) {
    if (run.summary.value("wave", "") == wave) latest = run;
  }
  return latest;
}

Result<bool> Paused(Migration& m) {
  PL_ASSIGN(std::vector<RunRecord> all, m.state().Runs(m.context().migration));
  bool paused = false;
  for (const auto& run : all) {
    if (run.kind == "pause") paused = true;
    if (run.kind == "resume") paused = false;
  }
  return paused;
}

Result<bool> Approved(Migration& m, const std::string& step, int64_t after_run) {
  PL_ASSIGN(std::vector<RunRecord> approvals, RunsOf(m, "approval"));
  for (const auto& run : approvals) {
    if (run.id > after_run && run.summary.value("step", "") == step) return true;
  }
  return false;
}

Status Record(Migration& m, const std::string& kind, const std::string& status,
              const json& summary) {
  const EngineContext& ctx = m.context();
  PL_ASSIGN(RunRecord run, m.state().StartRun(ctx.migration, kind, ctx.source.Redacted(),
                                              ctx.target.Redacted(), json::object()));
  PL_TRY(m.state().FinishRun(run.id, status, summary));
  return m.state().audit().Append(ctx.migration, kind, summary);
}

std::string Or(const std::vector<std::string>& filters) {
  if (filters.size() == 1) return filters[0];
  std::vector<std::string> parts;
  for (const auto& f : filters) parts.push_back("(" + f + ")");
  return Join(parts, " OR ");
}

// The plan as the wave sees it: each table's filter is `filter_for(table)` ANDed with the
// plan's own filter.
Plan WavePlan(const Plan& plan, const WaveSpec& wave,
              const std::map<std::string, std::vector<std::string>>& filters) {
  Plan out = plan;
  for (const std::string& table : wave.tables) {
    auto it = filters.find(table);
    if (it == filters.end() || it->second.empty()) continue;
    TableTransform& rules = out.transforms[table];
    std::string condition = Or(it->second);
    rules.filter =
        rules.filter.empty() ? condition : "(" + rules.filter + ") AND (" + condition + ")";
  }
  return out;
}

}  // namespace

Result<WaveOutcome> MigrateWave(Migration& m, const std::string& name,
                                const CopyOptions& copy_options, bool again) {
  const Plan& plan = m.plan();
  const WaveSpec* wave = plan.FindWave(name);
  if (!wave) {
    std::vector<std::string> names;
    for (const auto& w : plan.waves) names.push_back(w.name);
    return Fail(Error(ErrorCode::kNotFound, "the plan has no wave '" + name + "'")
                    .WithHint(names.empty() ? "add waves: to the plan (docs/plan.md)"
                                            : "its waves are " + Join(names, ", ")));
  }
  PL_ASSIGN(bool paused, Paused(m));
  if (paused) {
    return Fail(Error(ErrorCode::kBlocked, "the migration is paused")
                    .WithHint("run `peerlock resume` to continue"));
  }
  PL_ASSIGN(std::vector<RunRecord> runs, RunsOf(m, "wave"));
  // Earlier waves must be done (gates approved), and their filters add up per table.
  std::map<std::string, std::vector<std::string>> copy_filter, verify_filter;
  std::set<std::string> started;  // tables an earlier wave already put rows into
  bool first = true;
  for (const WaveSpec& earlier : plan.waves) {
    if (earlier.name == wave->name) break;
    first = false;
    auto latest = LatestWaveRun(runs, earlier.name);
    if (!latest || latest->status != "succeeded") {
      std::string state = latest ? latest->status : "not run";
      std::string hint = latest && latest->status == "awaiting-approval"
                             ? "run `peerlock approve gate:" + earlier.name +
                                   "`, then `peerlock migrate --wave " + earlier.name + "`"
                             : "run `peerlock migrate --wave " + earlier.name + "` first";
      return Fail(Error(ErrorCode::kBlocked, "wave " + wave->name + " waits for wave " +
                                                 earlier.name + " (" + state + ")")
                      .WithHint(hint));
    }
    for (const std::string& table : earlier.tables) {
      started.insert(table);
      if (!earlier.where.empty()) verify_filter[table].push_back(earlier.where);
    }
  }
  bool pilot = first || wave->name == "pilot";
  auto latest = LatestWaveRun(runs, wave->name);
  std::string gate = "gate:" + wave->name;
  if (latest && latest->status == "awaiting-approval") {
    PL_ASSIGN(bool approved, Approved(m, gate, latest->id));
    if (!approved) {
      return Fail(
          Error(ErrorCode::kBlocked, "wave " + wave->name + " is copied and waits at " + gate)
              .WithHint("run `peerlock approve " + gate + "` once it is checked"));
    }
    json summary = latest->summary;
    summary["approved"] = true;
    summary["evidence"] =
        fmt::format("wave {} verified equal and approved at {}", wave->name, gate);
    PL_TRY(Record(m, "wave", "succeeded", summary));
    return WaveOutcome{wave->name, "succeeded", summary};
  }

  for (const std::string& table : wave->tables) {
    if (!wave->where.empty()) {
      copy_filter[table].push_back(wave->where);
      verify_filter[table].push_back(wave->where);
    }
  }
  Plan copy_plan = WavePlan(plan, *wave, copy_filter);
  Plan verify_plan = WavePlan(plan, *wave, verify_filter);
  EngineContext ctx = m.context();
  CopyOptions copy = copy_options;
  copy.tables = wave->tables;
  bool appends = false;
  for (const auto& t : wave->tables) appends |= started.count(t) > 0 || !wave->where.empty();
  copy.if_exists = appends ? IfExists::kAppend : IfExists::kReplace;
  if (appends && latest && !again) {
    std::vector<std::string> deletes;
    for (const auto& t : wave->tables)
      deletes.push_back(wave->where.empty() ? "DELETE FROM " + t + " (the rows this wave copied)"
                                            : "DELETE FROM " + t + " WHERE " + wave->where);
    return Fail(
        Error(
            ErrorCode::kBlocked,
            fmt::format("wave {} already put its rows into {} (its latest run: {}, {}): "
                        "copying it again would add them a second time",
                        wave->name, Join(wave->tables, ", "), latest->status, latest->finished_at))
            .WithHint(fmt::format("to redo it, remove them from the target first ({}), then run "
                                  "`peerlock migrate --wave {} --again`",
                                  Join(deletes, "; "), wave->name)));
  }
  // Recorded before the first row moves: a copy that dies midway has still put rows in.
  if (appends)
    PL_TRY(Record(m, "wave", "copying",
                  {{"wave", wave->name}, {"tables", wave->tables}, {"where", wave->where}}));
  ctx.plan = &copy_plan;
  const std::map<std::string, std::string> wave_env = {{"PEERLOCK_WAVE", wave->name}};
  PL_TRY(RunPlanHook(ctx, "before_copy", "wave", wave_env));
  PL_ASSIGN(CopySummary copied, WithContext(RunCopy(ctx, copy), "wave " + wave->name));
  PL_TRY(RunPlanHook(ctx, "after_copy", "wave", wave_env));
  ctx.plan = &verify_plan;
  VerifyOptions verify{.tables = wave->tables, .chunk_rows = plan.copy.chunk_rows};
  PL_ASSIGN(VerifyResult verified, WithContext(RunVerify(ctx, verify), "wave " + wave->name));
  json summary = {{"wave", wave->name},
                  {"pilot", pilot},
                  {"tables", wave->tables},
                  {"where", wave->where},
                  {"rows", copied.rows},
                  {"equal", verified.equal},
                  {"rows_compared", verified.rows_compared}};
  std::string state = !verified.equal ? "differences"
                      : wave->approve ? "awaiting-approval"
                                      : "succeeded";
  summary["evidence"] = fmt::format("wave {}: {} rows copied, verify {}", wave->name, copied.rows,
                                    verified.equal ? "equal" : "found differences");
  if (!verified.equal) summary["error"] = "verify found differences in wave " + wave->name;
  PL_TRY(Record(m, "wave", state, summary));
  return WaveOutcome{wave->name, state, summary};
}

Status ApproveStep(Migration& m, const std::string& step, const std::string& by) {
  const Plan& plan = m.plan();
  std::vector<std::string> gates;
  for (const auto& w : plan.waves) {
    if (w.approve) gates.push_back("gate:" + w.name);
  }
  if (std::find(gates.begin(), gates.end(), step) == gates.end()) {
    Error error(ErrorCode::kNotFound, "the plan has no gate '" + step + "'");
    if (auto close = ClosestMatch(step, gates)) {
      error.WithHint("did you mean '" + *close + "'?");
    } else {
      error.WithHint(gates.empty() ? "mark a wave with approve: true to give it a gate"
                                   : "its gates are " + Join(gates, ", "));
    }
    return Fail(std::move(error));
  }
  return Record(m, "approval", "succeeded",
                {{"step", step}, {"by", by}, {"evidence", step + " approved by " + by}});
}

Status SetPaused(Migration& m, bool paused) {
  return Record(m, paused ? "pause" : "resume", "succeeded", json::object());
}

}  // namespace peerlock
