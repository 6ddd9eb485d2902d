#include "engine/sync/schema_follow.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/log.h"
#include "base/strings.h"

namespace peerlock {
namespace {

bool Has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Why `column` cannot be followed by adding it to the target, or "" when it can.
std::string WhyNotFollowed(const Column* column) {
  if (!column) return "not in the source's catalog";
  if (column->generated) return "a generated column";
  if (!column->nullable) return "NOT NULL";
  if (column->default_sql && ToLower(Trim(*column->default_sql)) != "null")
    return "DEFAULT " + *column->default_sql + ": the rows already copied would need it";
  return "";
}

}  // namespace

Result<std::vector<std::string>> FollowAddedColumns(const EngineContext& ctx,
                                                    const CaptureSpec& captured,
                                                    const Inventory& fresh) {
  PL_ASSIGN(auto target, ctx.OpenTarget());
  PL_ASSIGN(Catalog on_target, target->Introspect(/*count_rows=*/false));
  const Dialect& dialect = ctx.target_connector->dialect();
  std::vector<std::string> added;
  for (const CaptureTable& t : captured.tables) {
    const TableInventory* ti = fresh.Find(t.table);
    if (!ti)
      return Fail(Error(ErrorCode::kUnsupported,
                        "table " + t.table + " is gone from the source while syncing")
                      .WithHint("leave it out of the sync (--tables), or restore it"));
    const TableMapping& m = ti->mapping;
    for (const std::string& c : t.columns)
      if (!Has(m.source_columns, c))
        return Fail(Error(ErrorCode::kUnsupported,
                          fmt::format("table {} lost column {} on the source while syncing "
                                      "(renamed or dropped): a sync follows added columns only",
                                      t.table, c))
                        .WithHint("every change before it is applied; copy the table again "
                                  "(peerlock sync --drop, then peerlock sync)"));
    for (size_t i = 0; i < m.source_columns.size(); ++i) {
      const std::string& name = m.source_columns[i];
      if (Has(t.columns, name)) continue;
      std::string why = WhyNotFollowed(ti->table.FindColumn(name));
      if (!why.empty())
        return Fail(Error(ErrorCode::kUnsupported,
                          fmt::format("table {} gained column {} on the source while syncing "
                                      "({}): a sync follows nullable columns without a default",
                                      t.table, name, why))
                        .WithHint("every change before it is applied; add the column on the "
                                  "target and copy the table again (peerlock sync --drop, then "
                                  "peerlock sync)"));
      const std::string& target_name = m.columns[i].target_name;
      const Column* definition = m.target.FindColumn(target_name);
      const Table* target_table = on_target.FindTable(m.target_table);
      if (!definition || !target_table)
        return Fail(Error(ErrorCode::kInternal,
                          "cannot find " + m.target_table + "." + target_name + " to add it"));
      if (!target_table->FindColumn(target_name)) {
        std::string sql = dialect.AddColumnSql(m.target_table, *definition);
        PL_LOG_INFO("table {} gained column {} on the source: {}", t.table, name, sql);
        PL_TRY(
            WithContext(target->Execute(sql), "adding " + target_name + " to " + m.target_table));
      }
      added.push_back(t.table + "." + name);
    }
  }
  return added;
}

}  // namespace peerlock
