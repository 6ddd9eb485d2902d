#pragma once
// The dependency diagram of a migration, as text a reader or a tool renders: Mermaid (GitHub
// and most wikis draw it), Graphviz DOT, and a plain SVG laid out by PeerLock itself for when
// Graphviz is not installed. Systems point at what they depend on; tables at the tables their
// foreign keys reference, grouped by wave. Pure; thread-safe.

#include <map>
#include <string>

#include "plan/system_graph.h"

namespace peerlock {

struct DiagramInput {
  const Plan* plan = nullptr;
  const SystemGraph* systems = nullptr;
  const DependencyGraph* tables = nullptr;    // may be empty
  std::map<std::string, std::string> health;  // system -> "up" / "down" / ...; may be empty
};

std::string RenderMermaid(const DiagramInput& input);
std::string RenderDot(const DiagramInput& input);
// Boxes in columns by depth (what depends on nothing on the left), arrows between them.
std::string RenderBasicSvg(const DiagramInput& input);

}  // namespace peerlock
