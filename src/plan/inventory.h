#pragma once
// Inventory: what the source holds and how each piece will (or will not) reach the target —
// tables with rows, bytes, columns (source type and logical type), keys, indexes, foreign keys;
// views and triggers with what happens to them; the dependency graph and load order; and every
// warning (no primary key, off-type values, lossy conversions, cycles). Copy and verify work
// from the same inventory, so what `peerlock inventory` shows is what they do.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convert/table_mapping.h"
#include "plan/dependency_graph.h"
#include "plan/plan.h"

namespace peerlock {

struct TableInventory {
  Table table;           // as introspected on the source
  TableMapping mapping;  // how it lands on the target
  std::vector<std::string> warnings;
};

struct ObjectNote {
  std::string kind;  // view, trigger, table
  std::string name;
  bool migrated = false;
  std::string reason;
  std::string native_sql;  // views and triggers: the definition replayed on the target
};

struct Inventory {
  std::string source_url, target_url;  // redacted
  std::string source_dialect, target_dialect, source_version;
  std::vector<TableInventory> tables;  // in load order
  DependencyGraph graph;
  std::vector<ObjectNote> objects;    // views, triggers, tables left out by the plan
  std::vector<std::string> warnings;  // migration-wide

  const TableInventory* Find(const std::string& source_table) const;
  int64_t total_rows() const;
};

// Builds the inventory of `source` under `plan` for a target of `target_dialect`.
Result<Inventory> BuildInventory(const Catalog& source, const Plan& plan,
                                 const Dialect& target_dialect);

nlohmann::json InventoryToJson(const Inventory& inventory);
std::string InventoryToText(const Inventory& inventory);

}  // namespace peerlock
