#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "core/logical_type.h"
#include "plan/plan.h"
#include "plan/plan_error.h"

namespace peerlock {
namespace {

using plan_internal::DidYouMean;
using plan_internal::PlanError;

template <typename Rules>
using Named = const std::pair<const std::string, Rules>*;

// Errors come in file order, so the first one reported is the topmost, as from a compiler.
template <typename Rules>
std::vector<Named<Rules>> InFileOrder(const std::map<std::string, Rules>& by_name) {
  std::vector<Named<Rules>> out;
  for (const auto& entry : by_name) out.push_back(&entry);
  std::stable_sort(out.begin(), out.end(), [](Named<Rules> a, Named<Rules> b) {
    return std::pair(a->second.where.line, a->second.where.column) <
           std::pair(b->second.where.line, b->second.where.column);
  });
  return out;
}

// A few names of what exists, for a hint when nothing is close to what was written.
std::string SomeNames(const std::vector<std::string>& names) {
  constexpr size_t kShown = 8;
  std::vector<std::string> shown(names.begin(), names.begin() + std::min(names.size(), kShown));
  std::string out = Join(shown, ", ");
  if (names.size() > kShown) out += fmt::format(" and {} more", names.size() - kShown);
  return out.empty() ? "none" : out;
}

bool IsKeyColumn(const Table& table, const std::string& column) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), column) !=
         table.primary_key.end();
}

Status CheckScope(const Plan& plan, const std::string& name, const TableTransform& rules) {
  if (plan.Includes(name)) return {};
  std::string why = "no tables.include pattern matches it";
  for (const auto& glob : plan.exclude) {
    if (GlobMatch(glob, name)) why = "tables.exclude pattern '" + glob + "' leaves it out";
  }
  return Fail(PlanError(plan.file, rules.where, "transform names table '" + name + "', but " + why,
                        "transforms only for tables the plan migrates",
                        "include the table in tables.include/exclude, or delete its transform"));
}

Status CheckColumn(const Plan& plan, const Table& table, const std::string& column,
                   const ColumnTransform& rules) {
  if (!table.FindColumn(column)) {
    std::vector<std::string> names;
    for (const auto& c : table.columns) names.push_back(c.name);
    return Fail(PlanError(plan.file, rules.where,
                          "table '" + table.name + "' has no column '" + column + "'",
                          "a column of the source table",
                          DidYouMean(column, names, "its columns are " + SomeNames(names))));
  }
  if (IsKeyColumn(table, column) && (rules.drop || rules.mask)) {
    std::string verb = rules.drop ? "dropped" : "masked";
    return Fail(PlanError(plan.file, rules.where,
                          "column '" + column + "' is in the primary key of '" + table.name +
                              "' and cannot be " + verb,
                          "drop and mask only on columns outside the primary key",
                          "chunks and row identity are keyed on the primary key, so its values "
                          "must arrive unchanged; to give it another name, use rename"));
  }
  if (rules.cast_to && !ParseLogicalType(*rules.cast_to)) {
    return Fail(PlanError(plan.file, rules.where,
                          "column '" + column + "' is cast to '" + *rules.cast_to + "'",
                          "a logical type such as int64, text, decimal(10,2) or timestamp",
                          "docs/plan.md lists the logical types"));
  }
  return {};
}

// After renames and drops, no two columns may share a name. Compared case-insensitively:
// SQLite and MySQL targets fold case, so "Name" and "name" would collide there.
Status CheckColumnNames(const Plan& plan, const Table& table, const TableTransform& rules) {
  std::vector<std::pair<std::string, const std::string*>> final_names;  // lower(name), column
  for (const auto& column : table.columns) {
    auto it = rules.columns.find(column.name);
    const ColumnTransform* transform = it == rules.columns.end() ? nullptr : &it->second;
    if (transform && transform->drop) continue;
    std::string name = transform && transform->rename_to ? *transform->rename_to : column.name;
    final_names.emplace_back(ToLower(name), &column.name);
  }
  for (size_t i = 0; i < final_names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (final_names[i].first != final_names[j].first) continue;
      // Blame the renamed one: it is the rule that made the clash.
      const std::string* renamed = final_names[i].second;
      const std::string* other = final_names[j].second;
      auto it = rules.columns.find(*renamed);
      if (it == rules.columns.end() || !it->second.rename_to) {
        std::swap(renamed, other);
        it = rules.columns.find(*renamed);
      }
      // Two source columns with one name is the catalog's doing, not the plan's.
      if (it == rules.columns.end() || !it->second.rename_to) continue;
      return Fail(PlanError(plan.file, it->second.where,
                            "column '" + *renamed + "' of '" + table.name + "' is renamed to '" +
                                *it->second.rename_to + "', which column '" + *other +
                                "' ends up with too",
                            "a name no other column of the table has",
                            "rename or drop column '" + *other + "' too, or choose another name"));
    }
  }
  return {};
}

Status CheckTable(const Plan& plan, const Catalog& source, const std::string& name,
                  const TableTransform& rules) {
  const Table* table = source.FindTable(name);
  if (!table) {
    std::vector<std::string> names;
    for (const auto& t : source.tables) names.push_back(t.name);
    return Fail(PlanError(plan.file, rules.where,
                          "transform names table '" + name + "', which the source does not have",
                          "a table of the source",
                          DidYouMean(name, names, "the source's tables are " + SomeNames(names))));
  }
  PL_TRY(CheckScope(plan, name, rules));
  for (Named<ColumnTransform> column : InFileOrder(rules.columns)) {
    PL_TRY(CheckColumn(plan, *table, column->first, column->second));
  }
  return CheckColumnNames(plan, *table, rules);
}

// Every migrated table needs its own name on the target (compared as column names are).
Status CheckTargetTableNames(const Plan& plan, const Catalog& source) {
  std::vector<std::pair<std::string, const std::string*>> final_names;  // lower(name), table
  for (const auto& table : source.tables) {
    if (!plan.Includes(table.name)) continue;
    const TableTransform* rules = plan.TransformFor(table.name);
    std::string name = rules && rules->rename_to ? *rules->rename_to : table.name;
    final_names.emplace_back(ToLower(name), &table.name);
  }
  for (size_t i = 0; i < final_names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (final_names[i].first != final_names[j].first) continue;
      const std::string* renamed = final_names[i].second;
      const std::string* other = final_names[j].second;
      const TableTransform* rules = plan.TransformFor(*renamed);
      const TableTransform* other_rules = plan.TransformFor(*other);
      // Blame the rename written later in the file, or the only rename there is.
      bool other_is_later =
          other_rules && other_rules->rename_to &&
          (!rules || !rules->rename_to || other_rules->where.line > rules->where.line);
      if (other_is_later) {
        std::swap(renamed, other);
        std::swap(rules, other_rules);
      }
      // Same-named tables in two schemas clash without any rename: not the plan's doing.
      if (!rules || !rules->rename_to) continue;
      return Fail(PlanError(plan.file, rules->where,
                            "table '" + *renamed + "' is renamed to '" + *rules->rename_to +
                                "', which table '" + *other + "' ends up with too",
                            "a target name no other migrated table has",
                            "rename one of them differently, or leave one out with "
                            "tables.exclude"));
    }
  }
  return {};
}

}  // namespace

Status ValidatePlanAgainstCatalog(const Plan& plan, const Catalog& source) {
  for (Named<TableTransform> table : InFileOrder(plan.transforms)) {
    PL_TRY(CheckTable(plan, source, table->first, table->second));
  }
  return CheckTargetTableNames(plan, source);
}

}  // namespace peerlock
