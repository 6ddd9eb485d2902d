#include "plan/system_graph.h"

#include <gtest/gtest.h>

#include "plan/dependency_diagram.h"

namespace peerlock {
namespace {

Plan ParseOrDie(const std::string& yaml) {
  auto plan = ParsePlan(yaml, "/p/peerlock.yaml");
  EXPECT_TRUE(plan.has_value()) << plan.error().ToString();
  return plan ? *plan : Plan{};
}

constexpr char kHead[] = "source: {url: sqlite:///a.db}\ntarget: {url: sqlite:///b.db}\n";

Table MakeTable(const std::string& name, const std::vector<std::string>& parents) {
  Table t;
  t.name = name;
  for (const auto& parent : parents) t.foreign_keys.push_back({.ref_table = parent});
  return t;
}

TEST(SystemGraph, OrdersDependenciesFirst) {
  Plan plan = ParseOrDie(std::string(kHead) + R"yaml(systems:
  - {name: web, kind: service, check: "http://a/", depends_on: [api]}
  - {name: api, kind: service, check: "tcp://a:1", depends_on: [source, cache]}
  - {name: cache, kind: service, check: "tcp://a:2"}
)yaml");
  SystemGraph g = BuildSystemGraph(plan, {});
  EXPECT_EQ(g.order, (std::vector<std::string>{"source", "target", "cache", "api", "web"}));
  EXPECT_TRUE(g.cycles.empty());
}

TEST(SystemGraph, ReportsTheCycleWithThePathThatClosesIt) {
  Plan plan = ParseOrDie(std::string(kHead) + R"yaml(systems:
  - {name: web, kind: service, check: "http://a/", depends_on: [api]}
  - {name: api, kind: service, check: "tcp://a:1", depends_on: [queue]}
  - {name: queue, kind: service, check: "tcp://a:2", depends_on: [web]}
)yaml");
  SystemGraph g = BuildSystemGraph(plan, {});
  ASSERT_EQ(g.cycles.size(), 1u);
  const auto& cycle = g.cycles[0];
  ASSERT_EQ(cycle.size(), 4u);
  EXPECT_EQ(cycle.front(), cycle.back());
  // Each step of the path is a real depends_on edge.
  for (size_t i = 0; i + 1 < cycle.size(); ++i) {
    bool edge = false;
    for (const auto& [from, to] : g.edges) edge |= from == cycle[i] && to == cycle[i + 1];
    EXPECT_TRUE(edge) << cycle[i] << " -> " << cycle[i + 1];
  }
}

TEST(SystemGraph, ForeignKeyCyclesGetTheirPathAndWavesTheirOrder) {
  Table a = MakeTable("a", {"b"}), b = MakeTable("b", {"c"}), c = MakeTable("c", {"a"});
  Table orders = MakeTable("orders", {"customers"}), customers = MakeTable("customers", {});
  DependencyGraph tables = BuildDependencyGraph({&a, &b, &c, &orders, &customers});
  EXPECT_EQ(CyclePath({"a", "b", "c"}, tables.edges),
            (std::vector<std::string>{"a", "b", "c", "a"}));
  Plan plan = ParseOrDie(std::string(kHead) + R"yaml(waves:
  - {name: first, tables: [orders]}
  - {name: second, tables: [customers]}
)yaml");
  SystemGraph g = BuildSystemGraph(plan, tables);
  ASSERT_EQ(g.table_cycles.size(), 1u);
  EXPECT_EQ(g.table_cycles[0].size(), 4u);
  EXPECT_EQ(g.wave_order, (std::vector<std::string>{"first", "second"}));
  ASSERT_EQ(g.wave_problems.size(), 1u);
  EXPECT_NE(g.wave_problems[0].find("orders references customers, which moves later in wave "
                                    "second"),
            std::string::npos)
      << g.wave_problems[0];
}

TEST(DependencyDiagram, RendersEveryNodeAndEdgeInEachSyntax) {
  Plan plan = ParseOrDie(std::string(kHead) + R"yaml(systems:
  - {name: web, kind: service, check: "http://a/", depends_on: [source]}
  - {name: files, kind: storage, path: /srv}
waves:
  - {name: pilot, tables: [orders]}
)yaml");
  Table orders = MakeTable("orders", {"customers"}), customers = MakeTable("customers", {});
  DependencyGraph tables = BuildDependencyGraph({&orders, &customers});
  SystemGraph g = BuildSystemGraph(plan, tables);
  DiagramInput input{.plan = &plan, .systems = &g, .tables = &tables, .health = {{"web", "up"}}};
  std::string mermaid = RenderMermaid(input);
  EXPECT_EQ(mermaid.rfind("flowchart LR\n", 0), 0u);
  EXPECT_NE(mermaid.find("(\"web (up)\")"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("subgraph"), std::string::npos);
  EXPECT_NE(mermaid.find("wave pilot"), std::string::npos);
  EXPECT_EQ(std::count(mermaid.begin(), mermaid.end(), '>'), 2);  // web->source, orders->customers
  std::string dot = RenderDot(input);
  EXPECT_NE(dot.find("digraph migration {"), std::string::npos);
  EXPECT_NE(dot.find("shape=folder"), std::string::npos);
  EXPECT_NE(dot.find("cluster_"), std::string::npos);
  std::string svg = RenderBasicSvg(input);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 5, true);
  for (const char* label :
       {">source<", ">target<", ">web (up)<", ">files<", ">customers<", ">orders [pilot]<"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
  EXPECT_EQ(svg.find("<line") != std::string::npos, true);
}

}  // namespace
}  // namespace peerlock
