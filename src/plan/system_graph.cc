#include "plan/system_graph.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/strings.h"

namespace peerlock {
namespace {

using Edges = std::vector<std::pair<std::string, std::string>>;

}  // namespace

std::vector<std::string> CyclePath(const std::vector<std::string>& component, const Edges& edges) {
  if (component.empty()) return {};
  std::set<std::string> members(component.begin(), component.end());
  std::map<std::string, std::vector<std::string>> next;
  for (const auto& [from, to] : edges) {
    if (members.count(from) && members.count(to)) next[from].push_back(to);
  }
  // Breadth-first from the first member back to it: the shortest closing path.
  const std::string& start = component.front();
  std::map<std::string, std::string> came_from;
  std::vector<std::string> frontier = {start};
  while (!frontier.empty()) {
    std::vector<std::string> following;
    for (const auto& node : frontier) {
      for (const auto& to : next[node]) {
        if (to == start) {
          std::vector<std::string> path = {start};
          for (std::string at = node; at != start; at = came_from[at]) path.push_back(at);
          std::reverse(path.begin() + 1, path.end());
          path.push_back(start);
          return path;
        }
        if (came_from.emplace(to, node).second) following.push_back(to);
      }
    }
    frontier = std::move(following);
  }
  return {};
}

SystemGraph BuildSystemGraph(const Plan& plan, const DependencyGraph& tables) {
  SystemGraph g;
  g.systems = {"source", "target"};
  for (const SystemSpec& system : plan.systems) {
    g.systems.push_back(system.name);
    for (const std::string& dependency : system.depends_on) {
      g.edges.emplace_back(system.name, dependency);
    }
  }
  for (auto& component : StronglyConnectedComponents(g.systems, g.edges)) {
    std::reverse(component.begin(), component.end());
    g.order.insert(g.order.end(), component.begin(), component.end());
    if (component.size() > 1) g.cycles.push_back(CyclePath(component, g.edges));
  }
  for (const auto& component : tables.cycles) {
    g.table_cycles.push_back(CyclePath(component, tables.edges));
  }

  // Each table's wave: the first unfiltered one, else the first that names it.
  std::map<std::string, size_t> wave_of;
  for (size_t i = 0; i < plan.waves.size(); ++i) {
    g.wave_order.push_back(plan.waves[i].name);
    for (const std::string& table : plan.waves[i].tables) wave_of.emplace(table, i);
  }
  for (const auto& [child, parent] : tables.edges) {
    auto c = wave_of.find(child);
    if (c == wave_of.end()) continue;
    auto p = wave_of.find(parent);
    const std::string& wave = plan.waves[c->second].name;
    if (p == wave_of.end()) {
      g.wave_problems.push_back("wave " + wave + ": table " + child + " references " + parent +
                                ", which no wave moves (it moves with the final copy, after "
                                "this wave): add " +
                                parent + " to this wave or an earlier one");
    } else if (p->second > c->second) {
      g.wave_problems.push_back("wave " + wave + ": table " + child + " references " + parent +
                                ", which moves later in wave " + plan.waves[p->second].name +
                                ": move " + parent + " to wave " + wave + " or an earlier one");
    }
  }
  return g;
}

}  // namespace peerlock
