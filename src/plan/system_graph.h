#pragma once
// The dependency graph across the plan's systems (source, target and `systems:`) and the
// source's tables, the orders it implies, and the checks on the waves' order:
//   - systems: `depends_on` edges; order = dependencies first; cycles as the path that closes
//     them ("web -> api -> web");
//   - tables: the foreign-key graph (dependency_graph.h) with each cycle's closing path;
//   - waves: in file order, each table's parents must move in the same or an earlier wave.
// Pure; thread-safe.

#include <string>
#include <vector>

#include "plan/dependency_graph.h"
#include "plan/plan.h"

namespace peerlock {

struct SystemGraph {
  std::vector<std::string> systems;                        // source, target, then the plan's
  std::vector<std::pair<std::string, std::string>> edges;  // {system, what it depends on}
  std::vector<std::string> order;                          // dependencies first
  std::vector<std::vector<std::string>> cycles;            // closing paths: a, b, a
  std::vector<std::vector<std::string>> table_cycles;      // the same for foreign keys
  std::vector<std::string> wave_order;                     // waves, as they run
  std::vector<std::string> wave_problems;                  // a parent in a later wave, ...
};

// `tables` is the inventory's foreign-key graph (empty when the source was not read).
SystemGraph BuildSystemGraph(const Plan& plan, const DependencyGraph& tables);

// The path closing a cycle through `component` (a strongly connected group) along `edges`
// ({from, to}): [a, b, ..., a]; empty when there is none.
std::vector<std::string> CyclePath(const std::vector<std::string>& component,
                                   const std::vector<std::pair<std::string, std::string>>& edges);

}  // namespace peerlock
