#include "control/migration_sample.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "base/strings.h"

namespace peerlock {
namespace {

using nlohmann::json;

// The row filter of every table, parents before children (inventory load order).
std::map<std::string, std::string> SampleFilters(const Inventory& inventory, const Dialect& source,
                                                 double percent, std::vector<std::string>& whole) {
  std::set<std::string> in_cycle;
  for (const auto& cycle : inventory.graph.cycles) in_cycle.insert(cycle.begin(), cycle.end());
  std::map<std::string, std::string> filters;
  auto q = [&](const std::string& name) { return source.QuoteIdentifier(name); };
  auto list = [&](const std::vector<std::string>& names) {
    std::vector<std::string> quoted;
    for (const auto& n : names) quoted.push_back(q(n));
    return quoted.size() == 1 ? quoted[0] : "(" + Join(quoted, ", ") + ")";
  };
  for (const auto& ti : inventory.tables) {
    const Table& t = ti.table;
    std::vector<std::string> conditions;
    bool has_parent = false;
    for (const auto& fk : t.foreign_keys) {
      // A self-reference or a cycle has no "parents first": those references are left as is.
      if (fk.ref_table == t.name || in_cycle.count(t.name) || !filters.count(fk.ref_table))
        continue;
      has_parent = true;
      const std::string& parent_filter = filters[fk.ref_table];
      if (parent_filter.empty()) continue;  // the parent is whole: every reference holds
      std::vector<std::string> nulls;
      for (const auto& c : fk.columns) nulls.push_back(q(c) + " IS NULL");
      conditions.push_back(fmt::format("({} OR {} IN (SELECT {} FROM {} WHERE {}))",
                                       Join(nulls, " OR "), list(fk.columns), list(fk.ref_columns),
                                       q(fk.ref_table), parent_filter));
    }
    if (!has_parent) {
      const Column* key = t.primary_key.size() == 1 ? t.FindColumn(t.primary_key[0]) : nullptr;
      if (key && key->type.kind == TypeKind::kInt) {
        // The smallest modulus that expresses the percentage exactly: 5% -> k % 100 < 5,
        // 0.5% -> k % 1000 < 5. Consecutive keys then yield the percentage exactly.
        int64_t modulus = 100;
        auto kept = [&] { return percent * static_cast<double>(modulus) / 100; };
        while (modulus < 1000000 && std::abs(kept() - std::round(kept())) > 1e-9) modulus *= 10;
        conditions.push_back(
            fmt::format("{} % {} < {}", q(key->name), modulus, std::llround(kept())));
      } else {
        whole.push_back(t.name);
      }
    }
    filters[t.name] = conditions.empty() ? "" : "(" + Join(conditions, " AND ") + ")";
  }
  return filters;
}

}  // namespace

Result<SampleOutcome> CopySample(Migration& m, const ConnectorRegistry& registry, double percent,
                                 const std::string& into, const CopyOptions& copy_options) {
  if (!(percent > 0 && percent <= 100)) {
    return Fail(
        Error(ErrorCode::kInvalidArgument, fmt::format("--sample {}% is out of range", percent))
            .WithHint("give a percentage such as 5%"));
  }
  EngineContext ctx = m.context();
  if (!into.empty()) {
    PL_ASSIGN(ctx.target, WithContext(Endpoint::Parse(into), "--into"));
    PL_ASSIGN(ctx.target_connector, registry.Find(ctx.target));
  }
  PL_ASSIGN(Inventory inventory, LoadInventory(ctx, /*count_rows=*/false));
  std::vector<std::string> whole;
  std::map<std::string, std::string> filters =
      SampleFilters(inventory, ctx.source_connector->dialect(), percent, whole);
  Plan plan = m.plan();
  for (const auto& [table, filter] : filters) {
    if (filter.empty()) continue;
    TableTransform& rules = plan.transforms[table];
    rules.filter = rules.filter.empty() ? filter : "(" + rules.filter + ") AND " + filter;
  }
  ctx.plan = &plan;
  CopyOptions copy = copy_options;
  copy.if_exists = IfExists::kReplace;  // a staging target: each sample replaces the last
  PL_ASSIGN(RunRecord run, m.state().StartRun(ctx.migration, "sample", ctx.source.Redacted(),
                                              ctx.target.Redacted(), {{"percent", percent}}));
  auto copied = RunCopy(ctx, copy);
  if (!copied) {
    (void)m.state().FinishRun(run.id, "failed", {{"error", copied.error().message()}});
    return std::unexpected(copied.error());
  }
  auto verified = RunVerify(ctx, VerifyOptions{.chunk_rows = plan.copy.chunk_rows});
  if (!verified) {
    (void)m.state().FinishRun(run.id, "failed", {{"error", verified.error().message()}});
    return std::unexpected(verified.error());
  }
  json tables = json::array();
  for (const auto& t : copied->tables)
    tables.push_back({{"table", t.source_table}, {"rows", t.rows}});
  bool passed = verified->equal && copied->foreign_key_problems.empty();
  json summary = {{"percent", percent},
                  {"into", ctx.target.Redacted()},
                  {"rows", copied->rows},
                  {"tables", tables},
                  {"copied_whole", whole},
                  {"equal", verified->equal},
                  {"foreign_key_problems", copied->foreign_key_problems}};
  summary["evidence"] = fmt::format(
      "{}% sample, {} rows into {}: verify {}, {} foreign-key "
      "problem(s)",
      percent, copied->rows, ctx.target.Redacted(), verified->equal ? "equal" : "found differences",
      copied->foreign_key_problems.size());
  if (!passed) summary["error"] = summary["evidence"];
  PL_TRY(m.state().FinishRun(run.id, passed ? "succeeded" : "failed", summary));
  return SampleOutcome{passed, summary};
}

}  // namespace peerlock
