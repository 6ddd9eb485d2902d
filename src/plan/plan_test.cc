#include "plan/plan.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(PlanIncludes, NeedsAnIncludeMatchAndNoExcludeMatch) {
  Plan plan;
  EXPECT_TRUE(plan.Includes("orders"));  // include defaults to "*"
  plan.include = {"order*", "customers"};
  plan.exclude = {"*_tmp"};
  EXPECT_TRUE(plan.Includes("orders"));
  EXPECT_TRUE(plan.Includes("customers"));
  EXPECT_FALSE(plan.Includes("order_tmp"));
  EXPECT_FALSE(plan.Includes("invoices"));
  plan.include.clear();
  EXPECT_FALSE(plan.Includes("orders"));
}

TEST(PlanTransformFor, FindsBySourceName) {
  Plan plan;
  plan.transforms["customers"].rename_to = "clients";
  ASSERT_NE(plan.TransformFor("customers"), nullptr);
  EXPECT_EQ(plan.TransformFor("customers")->rename_to, "clients");
  EXPECT_EQ(plan.TransformFor("clients"), nullptr);
}

TEST(PlanFromUrls, UsesDefaults) {
  Plan plan = PlanFromUrls("sqlite:///a.db", "sqlite:///b.db");
  EXPECT_EQ(plan.source.url, "sqlite:///a.db");
  EXPECT_EQ(plan.target.url, "sqlite:///b.db");
  EXPECT_TRUE(plan.file.empty());
  EXPECT_EQ(plan.include, std::vector<std::string>{"*"});
  EXPECT_TRUE(plan.transforms.empty());
  EXPECT_EQ(plan.copy.workers, 2);
}

}  // namespace
}  // namespace peerlock
