#include "plan/dependency_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace peerlock {

std::vector<std::vector<std::string>> StronglyConnectedComponents(
    const std::vector<std::string>& nodes,
    const std::vector<std::pair<std::string, std::string>>& edges) {
  std::map<std::string, std::vector<std::string>> next;
  for (const auto& n : nodes) next[n];
  for (const auto& [from, to] : edges) next[from].push_back(to);
  std::map<std::string, int> index, low;
  std::set<std::string> on_stack;
  std::vector<std::string> stack;
  std::vector<std::vector<std::string>> out;
  int counter = 0;
  std::function<void(const std::string&)> visit = [&](const std::string& v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack.insert(v);
    for (const auto& w : next[v]) {
      if (!index.count(w)) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack.count(w)) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v]) return;
    std::vector<std::string> component;
    std::string w;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack.erase(w);
      component.push_back(w);
    } while (w != v);
    out.push_back(std::move(component));
  };
  for (const auto& n : nodes) {
    if (!index.count(n)) visit(n);
  }
  return out;
}

DependencyGraph BuildDependencyGraph(const std::vector<const Table*>& tables) {
  DependencyGraph g;
  std::map<std::string, std::set<std::string>> parents;  // ordered: deterministic output
  for (const Table* t : tables) parents[t->name];
  for (const Table* t : tables) {
    for (const auto& fk : t->foreign_keys) {
      if (!parents.count(fk.ref_table)) continue;
      if (fk.ref_table == t->name) {
        g.self_referencing.push_back(t->name);
        continue;
      }
      if (parents[t->name].insert(fk.ref_table).second) g.edges.emplace_back(t->name, fk.ref_table);
    }
  }
  std::sort(g.self_referencing.begin(), g.self_referencing.end());
  g.self_referencing.erase(std::unique(g.self_referencing.begin(), g.self_referencing.end()),
                           g.self_referencing.end());

  // Components come out parents-first, since an edge child -> parent finishes the parent's
  // component before the child's.
  std::vector<std::string> nodes;
  for (const auto& [name, _] : parents) nodes.push_back(name);
  for (auto& component : StronglyConnectedComponents(nodes, g.edges)) {
    std::sort(component.begin(), component.end());
    if (component.size() > 1) g.cycles.push_back(component);
    for (auto& name : component) g.load_order.push_back(name);
  }
  return g;
}

}  // namespace peerlock
