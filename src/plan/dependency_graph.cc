#include "plan/dependency_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace peerlock {

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

  // Tarjan's strongly connected components; components come out parents-first, since an
  // edge child -> parent finishes the parent's component before the child's.
  std::map<std::string, int> index, low;
  std::set<std::string> on_stack;
  std::vector<std::string> stack;
  int counter = 0;
  std::function<void(const std::string&)> visit = [&](const std::string& v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack.insert(v);
    for (const auto& w : parents[v]) {
      if (!index.count(w)) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack.count(w)) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      std::vector<std::string> component;
      std::string w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        component.push_back(w);
      } while (w != v);
      std::sort(component.begin(), component.end());
      if (component.size() > 1) g.cycles.push_back(component);
      for (auto& name : component) g.load_order.push_back(name);
    }
  };
  for (const auto& [name, _] : parents)
    if (!index.count(name)) visit(name);
  return g;
}

}  // namespace peerlock
