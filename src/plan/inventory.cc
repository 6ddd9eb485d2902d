#include "plan/inventory.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace peerlock {

const TableInventory* Inventory::Find(const std::string& source_table) const {
  for (const auto& t : tables)
    if (t.table.name == source_table) return &t;
  return nullptr;
}

int64_t Inventory::total_rows() const {
  int64_t rows = 0;
  for (const auto& t : tables) rows += std::max<int64_t>(t.table.rows, 0);
  return rows;
}

Result<Inventory> BuildInventory(const Catalog& source, const Plan& plan,
                                 const Dialect& target_dialect) {
  PL_TRY(ValidatePlanAgainstCatalog(plan, source));
  Inventory inv;
  inv.source_dialect = source.dialect;
  inv.source_version = source.server_version;
  inv.target_dialect = target_dialect.name();
  MappingContext ctx{.target_dialect = &target_dialect,
                     .same_dialect = source.dialect == target_dialect.name(),
                     .transforms = &plan.transforms};
  std::vector<const Table*> scope;
  for (const auto& t : source.tables) {
    if (plan.Includes(t.name)) {
      scope.push_back(&t);
      ctx.in_scope.insert(t.name);
    } else {
      inv.objects.push_back({"table", t.name, false, "excluded by the plan's tables section"});
    }
  }
  inv.graph = BuildDependencyGraph(scope);
  for (const auto& name : inv.graph.load_order) {
    const Table* t = source.FindTable(name);
    PL_ASSIGN(TableMapping mapping, MapTable(*t, ctx));
    TableInventory ti{.table = *t, .mapping = std::move(mapping)};
    if (t->primary_key.empty())
      ti.warnings.push_back(
          "no primary key: chunked by row id; verify compares the whole table "
          "as a multiset and names differing rows by row id");
    if (!t->has_row_id) ti.warnings.push_back("WITHOUT ROWID table");
    for (const auto& c : t->columns) {
      if (c.off_type_values > 0)
        ti.warnings.push_back(fmt::format(
            "column '{}' holds {} value(s) not stored as its declared type {} (SQLite allows it); "
            "{}",
            c.name, c.off_type_values, c.source_type.empty() ? "(none)" : c.source_type,
            ctx.same_dialect ? "they are copied exactly as stored"
                             : "add a cast rule for this column or fix the rows"));
    }
    for (const auto& w : ti.mapping.warnings) ti.warnings.push_back(w);
    inv.tables.push_back(std::move(ti));
  }
  for (const auto& cycle : inv.graph.cycles)
    inv.warnings.push_back("foreign-key cycle between " + Join(cycle, ", ") +
                           ": loaded with constraints checked after the data");
  for (const auto& view : source.views) {
    bool ok = ctx.same_dialect;
    inv.objects.push_back({"view", view.name, ok,
                           ok ? "recreated from its definition after the data"
                              : "its SQL is " + source.dialect + "-specific: recreate it by hand",
                           view.native_sql});
  }
  for (const auto& trigger : source.triggers) {
    bool ok = ctx.same_dialect && ctx.in_scope.count(trigger.table) &&
              TargetTableName(trigger.table, &plan.transforms) == trigger.table;
    inv.objects.push_back({"trigger", trigger.name, ok,
                           ok ? "recreated after the data, so it does not fire during the copy"
                           : !ctx.same_dialect
                               ? "its SQL is " + source.dialect + "-specific: recreate it by hand"
                               : "its table is renamed or not migrated",
                           trigger.native_sql});
  }
  for (const auto& seq : source.sequences) {
    std::string at = seq.called ? "at " + std::to_string(seq.last_value)
                                : "unused, starts at " + std::to_string(seq.last_value);
    // Across dialects a counter feeding a column reaches that column's identity /
    // AUTO_INCREMENT on the target; one feeding no column has no place there.
    bool carried = ctx.same_dialect || !seq.owner.empty();
    inv.objects.push_back({"sequence", seq.name, carried,
                           ctx.same_dialect ? at + "; set on the target after the data"
                           : carried        ? at + "; continued by " + seq.owner +
                                           "'s identity / AUTO_INCREMENT on the target"
                                     : at + "; feeds no column: not carried to another dialect"});
  }
  for (const auto& o : source.others) {
    bool data_moves = o.kind == "partition";
    bool ok = data_moves || ctx.same_dialect;
    std::string reason = data_moves ? "rows read through its root table (" + o.detail + ")"
                         : ctx.same_dialect
                             ? "carried by the schema clone when no table is reshaped by the plan" +
                                   (o.detail.empty() ? std::string() : " (" + o.detail + ")")
                             : source.dialect + "-specific: recreate it by hand on the target" +
                                   (o.detail.empty() ? std::string() : " (" + o.detail + ")");
    inv.objects.push_back({o.kind, o.name, ok, reason});
  }
  for (const auto& w : source.warnings) inv.warnings.push_back(w);
  return inv;
}

nlohmann::json InventoryToJson(const Inventory& inv) {
  using nlohmann::json;
  json tables = json::array();
  for (const auto& ti : inv.tables) {
    const Table& t = ti.table;
    json columns = json::array();
    for (const auto& c : t.columns) {
      json col = {{"name", c.name},
                  {"source_type", c.source_type},
                  {"logical_type", LogicalTypeName(c.type)},
                  {"nullable", c.nullable},
                  {"generated", c.generated}};
      if (c.off_type_values >= 0) col["off_type_values"] = c.off_type_values;
      columns.push_back(col);
    }
    json indexes = json::array();
    for (const auto& i : t.indexes)
      indexes.push_back({{"name", i.name}, {"columns", i.columns}, {"unique", i.unique}});
    json fks = json::array();
    for (const auto& fk : t.foreign_keys)
      fks.push_back({{"columns", fk.columns},
                     {"references", fk.ref_table},
                     {"ref_columns", fk.ref_columns},
                     {"on_delete", fk.on_delete}});
    tables.push_back({{"name", t.name},
                      {"target_name", ti.mapping.target_table},
                      {"rows", t.rows},
                      {"bytes", t.bytes},
                      {"primary_key", t.primary_key},
                      {"columns", columns},
                      {"indexes", indexes},
                      {"foreign_keys", fks},
                      {"warnings", ti.warnings}});
  }
  json objects = json::array();
  for (const auto& o : inv.objects)
    objects.push_back(
        {{"kind", o.kind}, {"name", o.name}, {"migrated", o.migrated}, {"reason", o.reason}});
  json edges = json::array();
  for (const auto& [child, parent] : inv.graph.edges)
    edges.push_back({{"table", child}, {"references", parent}});
  return {{"source", inv.source_url},
          {"target", inv.target_url},
          {"source_dialect", inv.source_dialect},
          {"target_dialect", inv.target_dialect},
          {"tables", tables},
          {"objects", objects},
          {"dependencies", edges},
          {"load_order", inv.graph.load_order},
          {"cycles", inv.graph.cycles},
          {"warnings", inv.warnings},
          {"total_rows", inv.total_rows()}};
}

std::string InventoryToText(const Inventory& inv) {
  std::string out =
      fmt::format("Source {} ({} {})\nTarget {} ({})\n\n", inv.source_url, inv.source_dialect,
                  inv.source_version, inv.target_url, inv.target_dialect);
  out += fmt::format("{:<28} {:>10} {:>10}  {}\n", "TABLE", "ROWS", "BYTES", "KEY");
  for (const auto& ti : inv.tables) {
    const Table& t = ti.table;
    out +=
        fmt::format("{:<28} {:>10} {:>10}  {}\n", t.name, t.rows < 0 ? "?" : std::to_string(t.rows),
                    t.bytes < 0 ? "?" : HumanBytes(static_cast<double>(t.bytes)),
                    t.primary_key.empty() ? "(none: row id)" : Join(t.primary_key, ", "));
  }
  for (const auto& ti : inv.tables) {
    const Table& t = ti.table;
    out += fmt::format("\n{}{}\n", t.name,
                       ti.mapping.target_table != t.name ? " -> " + ti.mapping.target_table : "");
    for (const auto& c : t.columns)
      out += fmt::format("  {:<24} {:<16} -> {:<14}{}{}\n", c.name,
                         c.source_type.empty() ? "(none)" : c.source_type, LogicalTypeName(c.type),
                         c.nullable ? "" : " not null", c.generated ? " generated" : "");
    for (const auto& i : t.indexes)
      out += fmt::format("  index {}{} ({})\n", i.name, i.unique ? " unique" : "",
                         i.columns.empty() ? "expression" : Join(i.columns, ", "));
    for (const auto& fk : t.foreign_keys)
      out += fmt::format("  foreign key ({}) -> {}({})\n", Join(fk.columns, ", "), fk.ref_table,
                         Join(fk.ref_columns, ", "));
    for (const auto& w : ti.warnings) out += "  warning: " + w + "\n";
  }
  out += "\nLoad order: " + Join(inv.graph.load_order, ", ") + "\n";
  for (const auto& [child, parent] : inv.graph.edges) out += "  " + child + " -> " + parent + "\n";
  if (!inv.objects.empty()) out += "\nOther objects:\n";
  for (const auto& o : inv.objects)
    out += fmt::format("  {} {}: {} ({})\n", o.kind, o.name,
                       o.migrated ? "migrated" : "NOT migrated", o.reason);
  for (const auto& w : inv.warnings) out += "warning: " + w + "\n";
  out += fmt::format("\n{} tables, {} rows\n", inv.tables.size(), inv.total_rows());
  return out;
}

}  // namespace peerlock
