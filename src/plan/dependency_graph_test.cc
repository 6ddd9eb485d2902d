#include "plan/dependency_graph.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace peerlock {
namespace {

Table T(const std::string& name, std::vector<std::string> refs) {
  Table t;
  t.name = name;
  for (auto& r : refs) t.foreign_keys.push_back(ForeignKey{.columns = {"x"}, .ref_table = r});
  return t;
}

size_t Pos(const DependencyGraph& g, const std::string& name) {
  return std::find(g.load_order.begin(), g.load_order.end(), name) - g.load_order.begin();
}

TEST(DependencyGraph, ParentsLoadBeforeChildren) {
  Table items = T("order_items", {"orders", "products"}), orders = T("orders", {"customers"}),
        customers = T("customers", {}), products = T("products", {});
  auto g = BuildDependencyGraph({&items, &orders, &customers, &products});
  ASSERT_EQ(g.load_order.size(), 4u);
  EXPECT_LT(Pos(g, "customers"), Pos(g, "orders"));
  EXPECT_LT(Pos(g, "orders"), Pos(g, "order_items"));
  EXPECT_LT(Pos(g, "products"), Pos(g, "order_items"));
  EXPECT_TRUE(g.cycles.empty());
  EXPECT_EQ(g.edges.size(), 3u);
}

TEST(DependencyGraph, ReportsCyclesAndSelfReferences) {
  Table a = T("a", {"b"}), b = T("b", {"a"}), c = T("c", {"c", "a"}), d = T("d", {"outside"});
  auto g = BuildDependencyGraph({&a, &b, &c, &d});
  ASSERT_EQ(g.cycles.size(), 1u);
  EXPECT_EQ(g.cycles[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(g.self_referencing, (std::vector<std::string>{"c"}));
  EXPECT_EQ(g.load_order.size(), 4u);
  EXPECT_LT(Pos(g, "a"), Pos(g, "c"));
}

}  // namespace
}  // namespace peerlock
