#pragma once
// The systems half of `peerlock inventory`: every system of the plan probed (system_probe.h),
// the dependency graph across systems and tables with its orders and cycles (system_graph.h),
// and the diagram as Mermaid, DOT and SVG. The SVG comes from Graphviz's `dot` when it is
// installed, else from PeerLock's own plain layout (svg_renderer says which).
// Blocks on the probes; thread-safe (no shared state).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "connector/endpoint.h"
#include "engine/systems/system_probe.h"
#include "plan/dependency_diagram.h"

namespace peerlock {

struct SystemsInventory {
  std::vector<SystemHealth> health;  // source, target, then the plan's systems
  SystemGraph graph;
  std::string mermaid, dot, svg;
  std::string svg_renderer;  // "graphviz" or "peerlock"
};

// `tables` is the source's foreign-key graph; the source is "up" when `source_read` (the
// inventory just read it). Network targets are probed by TCP; file databases are not.
SystemsInventory InventorySystems(const Plan& plan, const DependencyGraph& tables,
                                  const Endpoint& source, bool source_read, const Endpoint& target,
                                  double timeout_seconds);

// DOT rendered by Graphviz when `dot` runs, else nullopt.
std::optional<std::string> RenderWithGraphviz(const std::string& dot);

nlohmann::json SystemsInventoryToJson(const SystemsInventory& inventory);
std::string SystemsInventoryToText(const SystemsInventory& inventory);

}  // namespace peerlock
