#pragma once
// The foreign-key dependency graph between the tables of a migration, and the load order it
// implies: parents before children, reference data before transactions. Cycles are reported
// (their tables still load: constraints are only checked after the data is in).
// Pure; thread-safe.

#include <string>
#include <vector>

#include "core/catalog.h"

namespace peerlock {

struct DependencyGraph {
  // edges[i] = {child, parent}: child has a foreign key to parent (self-references omitted).
  std::vector<std::pair<std::string, std::string>> edges;
  std::vector<std::string> load_order;           // every table, parents first
  std::vector<std::vector<std::string>> cycles;  // each strongly connected group of >1 table
  std::vector<std::string> self_referencing;     // tables with a foreign key to themselves
};

// Tarjan's strongly connected components of the graph `edges` ({from, to}) over `nodes`, in
// the order they finish: a component comes after every component it points to. Nodes keep the
// order of `nodes` inside a component's traversal; callers sort when they need to.
std::vector<std::vector<std::string>> StronglyConnectedComponents(
    const std::vector<std::string>& nodes,
    const std::vector<std::pair<std::string, std::string>>& edges);

// Graph over `tables` (foreign keys to tables outside the list are ignored).
DependencyGraph BuildDependencyGraph(const std::vector<const Table*>& tables);

}  // namespace peerlock
