#include "engine/copy/schema_setup.h"

#include "base/log.h"
#include "base/strings.h"

namespace peerlock {
namespace {

// "CREATE VIEW v" -> "CREATE VIEW IF NOT EXISTS v" (same for TRIGGER), so reruns are no-ops.
std::string IdempotentCreate(const std::string& sql, const std::string& kind) {
  std::string lower = ToLower(sql);
  if (lower.find("if not exists") != std::string::npos) return sql;
  auto pos = lower.find(kind);
  if (pos == std::string::npos) return sql;
  return sql.substr(0, pos + kind.size()) + " IF NOT EXISTS" + sql.substr(pos + kind.size());
}

}  // namespace

Status PrepareTargetTables(const EngineContext& ctx, const Inventory& inv, IfExists if_exists,
                           Session& target) {
  const Dialect& dialect = ctx.target_connector->dialect();
  std::vector<std::string> occupied;
  std::vector<const TableInventory*> to_create;
  for (const auto& t : inv.tables) {
    const std::string& name = t.mapping.target_table;
    PL_ASSIGN(bool exists, target.TableExists(name));
    if (!exists) {
      to_create.push_back(&t);
      continue;
    }
    PL_ASSIGN(bool empty, target.TableIsEmpty(name));
    if (empty || if_exists == IfExists::kAppend) continue;
    if (if_exists == IfExists::kReplace) {
      PL_TRY(target.Execute(dialect.DropTableSql(name)));
      to_create.push_back(&t);
      continue;
    }
    occupied.push_back(name);
  }
  if (!occupied.empty())
    return Fail(
        Error(ErrorCode::kBlocked, "target table(s) already hold rows: " + Join(occupied, ", "))
            .WithHint("use --resume to continue an interrupted copy, --if-exists replace "
                      "to drop and recopy them, or --if-exists append to add rows"));
  for (const TableInventory* t : to_create)
    for (const auto& sql : dialect.CreateTableSql(t->mapping.target))
      PL_TRY(WithContext(target.Execute(sql), "creating table " + t->mapping.target_table));
  return {};
}

Result<PostDataResult> FinishTargetSchema(const EngineContext& ctx, const Inventory& inv,
                                          Session& target) {
  const Dialect& dialect = ctx.target_connector->dialect();
  PostDataResult result;
  for (const auto& t : inv.tables)
    for (const auto& sql : dialect.PostDataSql(t.mapping.target))
      PL_TRY(WithContext(target.Execute(sql), "creating indexes of " + t.mapping.target_table));
  // Views before triggers (a trigger may use a view); only same-dialect ones are migratable.
  for (const char* kind : {"view", "trigger"}) {
    for (const auto& o : inv.objects) {
      if (o.kind != kind || !o.migrated) continue;
      if (auto st = target.Execute(IdempotentCreate(o.native_sql, kind)); !st)
        result.warnings.push_back(std::string(kind) + " " + o.name +
                                  " not created: " + st.error().message());
    }
  }
  PL_ASSIGN(result.foreign_key_problems, target.CheckForeignKeys());
  for (const auto& w : result.warnings) PL_LOG_WARN("{}", w);
  return result;
}

}  // namespace peerlock
