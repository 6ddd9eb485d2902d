#include <gtest/gtest.h>

#include "base/strings.h"
#include "plan/plan.h"

namespace peerlock {
namespace {

// Plans compare equal when they say the same; where things were written does not count.
void ExpectSamePlan(const Plan& a, const Plan& b) {
  for (auto [x, y] : {std::pair{&a.source, &b.source}, std::pair{&a.target, &b.target}}) {
    EXPECT_EQ(x->url, y->url);
    EXPECT_EQ(x->password_env, y->password_env);
    EXPECT_EQ(x->password_file, y->password_file);
  }
  EXPECT_EQ(a.include, b.include);
  EXPECT_EQ(a.exclude, b.exclude);
  EXPECT_EQ(a.copy.workers, b.copy.workers);
  EXPECT_EQ(a.copy.chunk_rows, b.copy.chunk_rows);
  EXPECT_EQ(a.copy.batch_rows, b.copy.batch_rows);
  ASSERT_EQ(a.transforms.size(), b.transforms.size());
  for (const auto& [table, x] : a.transforms) {
    ASSERT_TRUE(b.transforms.contains(table)) << table;
    const TableTransform& y = b.transforms.at(table);
    EXPECT_EQ(x.rename_to, y.rename_to) << table;
    EXPECT_EQ(x.filter, y.filter) << table;
    ASSERT_EQ(x.columns.size(), y.columns.size()) << table;
    for (const auto& [column, c] : x.columns) {
      ASSERT_TRUE(y.columns.contains(column)) << table << "." << column;
      const ColumnTransform& d = y.columns.at(column);
      EXPECT_EQ(c.rename_to, d.rename_to) << column;
      EXPECT_EQ(c.drop, d.drop) << column;
      EXPECT_EQ(c.cast_to, d.cast_to) << column;
      ASSERT_EQ(c.mask.has_value(), d.mask.has_value()) << column;
      if (c.mask) {
        EXPECT_EQ(c.mask->kind, d.mask->kind) << column;
        EXPECT_EQ(c.mask->fixed_value, d.mask->fixed_value) << column;
      }
    }
  }
}

Plan RoundTrip(const Plan& plan) {
  std::string text = RenderPlanTemplate(plan);
  auto parsed = ParsePlan(text, "/p/peerlock.yaml");
  EXPECT_TRUE(parsed.has_value()) << parsed.error().ToString() << "\n" << text;
  return parsed.value_or(Plan{});
}

TEST(PlanTemplate, RoundTripsThePlanInitWrites) {
  Plan plan = PlanFromUrls("sqlite:///abs/legacy.db", "sqlite://new.db");
  ExpectSamePlan(RoundTrip(plan), plan);
}

TEST(PlanTemplate, RoundTripsEveryRuleAndAwkwardText) {
  Plan plan = PlanFromUrls("postgresql://app@db.internal:5432/shop?sslmode=require",
                           "sqlite:///tmp/with space/new.db");
  plan.source.password_env = "PGPASSWORD";
  plan.target.password_file = "/run/secrets/pw #1";
  plan.include = {"*", "order?", "null", "yes", "-dash", "a,b", "[x]"};
  plan.exclude = {"tmp_*", "*_old"};
  plan.copy = {.workers = 7, .chunk_rows = 123456789012, .batch_rows = 1000000};
  TableTransform& customers = plan.transforms["customers"];
  customers.rename_to = "clients";
  customers.filter = "name <> 'x: y' AND note NOT LIKE '%#%' AND \"q\" = '\\'";
  customers.columns["email"].mask = MaskRule{.kind = MaskRule::Kind::kHash};
  customers.columns["notes"].mask = MaskRule{.kind = MaskRule::Kind::kNull};
  customers.columns["ssn"].mask =
      MaskRule{.kind = MaskRule::Kind::kFixed, .fixed_value = "XXX-XX, \"quoted\"\n\ttab"};
  customers.columns["blank"].mask = MaskRule{.kind = MaskRule::Kind::kFixed, .fixed_value = ""};
  customers.columns["phone"].drop = true;
  customers.columns["full_name"].rename_to = "name: first";
  customers.columns["price"].cast_to = "decimal(10,2)";
  customers.columns["Ünïcode"].rename_to = "true";
  customers.columns["untouched"];
  plan.transforms["empty table"];
  plan.transforms["null"].filter = "multi\nline";
  plan.transforms["x:y"].rename_to = "~";
  ExpectSamePlan(RoundTrip(plan), plan);
}

TEST(PlanTemplate, ExplainsEachSectionAndEveryRule) {
  std::string text = RenderPlanTemplate(PlanFromUrls("sqlite:///a.db", "sqlite:///b.db"));
  for (const char* expected :
       {"docs/plan.md", "# password_env:", "# password_file:", "include: [\"*\"]", "exclude: []",
        "# customers:", "rename: clients", "filter: \"active = 1\"", "{mask: hash}", "{mask: null}",
        "{mask: fixed, value: \"XXX-XX\"}", "{drop: true}", "{rename: name}",
        "{cast: \"decimal(10,2)\"}",
        "Primary-key columns can be renamed or cast, but not dropped or masked", "workers: 2",
        "chunk_rows: 50000", "batch_rows: 2048"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST(PlanTemplate, CommentedExampleWorksOnceUncommented) {
  std::string text = RenderPlanTemplate(PlanFromUrls("sqlite:///a.db", "sqlite:///b.db"));
  // Uncomment the transform example the way a user would: drop the "# " after the indent.
  std::string uncommented;
  bool in_transform = false;
  for (const std::string& line : Split(text, '\n')) {
    if (line == "transform:") in_transform = true;
    if (in_transform && StartsWith(line, "  # ")) {
      uncommented += "  " + line.substr(4) + "\n";
    } else {
      uncommented += line + "\n";
    }
    if (in_transform && line.empty()) in_transform = false;
  }
  auto plan = ParsePlan(uncommented, "/p/peerlock.yaml");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString() << "\n" << uncommented;
  const TableTransform* customers = plan->TransformFor("customers");
  ASSERT_NE(customers, nullptr);
  EXPECT_EQ(customers->rename_to, "clients");
  EXPECT_EQ(customers->filter, "active = 1");
  EXPECT_EQ(customers->columns.size(), 6u);
  EXPECT_EQ(customers->columns.at("ssn").mask->fixed_value, "XXX-XX");
  EXPECT_EQ(customers->columns.at("notes").mask->kind, MaskRule::Kind::kNull);
}

}  // namespace
}  // namespace peerlock
