#include "engine/engine_context.h"

#include <set>

#include "base/strings.h"

namespace peerlock {

Result<Inventory> LoadInventory(const EngineContext& ctx, bool count_rows) {
  PL_ASSIGN(auto source, ctx.OpenSource());
  PL_ASSIGN(Catalog catalog, WithContext(source->Introspect(count_rows),
                                         "reading the schema of " + ctx.source.Redacted()));
  PL_ASSIGN(Inventory inventory,
            BuildInventory(catalog, *ctx.plan, ctx.target_connector->dialect()));
  inventory.source_url = ctx.source.Redacted();
  inventory.target_url = ctx.target.Redacted();
  return inventory;
}

Status SelectTables(Inventory& inventory, const std::vector<std::string>& tables) {
  if (tables.empty()) return {};
  std::vector<std::string> known;
  for (const auto& t : inventory.tables) known.push_back(t.table.name);
  std::set<std::string> wanted;
  for (const auto& name : tables) {
    if (!inventory.Find(name)) {
      Error error(ErrorCode::kInvalidArgument,
                  "--tables names '" + name + "', which is not a table in scope");
      if (auto close = ClosestMatch(name, known))
        error.WithHint("did you mean '" + *close + "'?");
      else
        error.WithHint("tables in scope: " + Join(known, ", "));
      return Fail(std::move(error));
    }
    wanted.insert(name);
  }
  for (const auto& t : inventory.tables)
    if (!wanted.count(t.table.name))
      inventory.objects.push_back({"table", t.table.name, false, "not selected by --tables"});
  std::erase_if(inventory.tables,
                [&](const TableInventory& t) { return !wanted.count(t.table.name); });
  return {};
}

}  // namespace peerlock
