#include <gtest/gtest.h>

#include "plan/plan.h"

namespace peerlock {
namespace {

Table MakeTable(const std::string& name, const std::vector<std::string>& columns,
                std::vector<std::string> key) {
  Table table{.name = name, .primary_key = std::move(key)};
  for (const auto& column : columns) table.columns.push_back(Column{.name = column});
  return table;
}

Catalog SourceCatalog() {
  Catalog catalog{.dialect = "sqlite"};
  catalog.tables = {
      MakeTable("customers", {"id", "email", "full_name", "name", "phone", "price"}, {"id"}),
      MakeTable("orders", {"id", "customer_id", "total"}, {"id"}),
      MakeTable("order_lines", {"order_id", "line", "sku"}, {"order_id", "line"}),
      MakeTable("tmp_import", {"raw"}, {}),
  };
  return catalog;
}

// A transform as if written at `line` of /p/peerlock.yaml.
TableTransform& AddTransform(Plan& plan, const std::string& table, int line) {
  TableTransform& transform = plan.transforms[table];
  transform.where = {.line = line, .column = 3};
  return transform;
}

ColumnTransform& AddColumn(TableTransform& table, const std::string& column, int line) {
  ColumnTransform& transform = table.columns[column];
  transform.where = {.line = line, .column = 7};
  return transform;
}

Plan BasePlan() {
  Plan plan = PlanFromUrls("sqlite:///a.db", "sqlite:///b.db");
  plan.file = "/p/peerlock.yaml";
  plan.exclude = {"tmp_*"};
  return plan;
}

Error ValidationError(const Plan& plan) {
  Status status = ValidatePlanAgainstCatalog(plan, SourceCatalog());
  EXPECT_FALSE(status.has_value());
  if (status) return Error(ErrorCode::kInternal, "valid");
  EXPECT_EQ(status.error().code(), ErrorCode::kPlan);
  EXPECT_NE(status.error().message().find(", expected "), std::string::npos);
  EXPECT_FALSE(status.error().hint().empty());
  return status.error();
}

TEST(PlanValidation, AcceptsAPlanThatFitsTheSource) {
  Plan plan = BasePlan();
  TableTransform& customers = AddTransform(plan, "customers", 10);
  customers.rename_to = "clients";
  AddColumn(customers, "email", 12).mask = MaskRule{.kind = MaskRule::Kind::kHash};
  AddColumn(customers, "phone", 13).drop = true;
  AddColumn(customers, "id", 14).rename_to = "customer_id";
  AddColumn(customers, "price", 15).cast_to = "decimal(10,2)";
  // Renamed onto a dropped column's name, and a swap: neither leaves two columns with one name.
  AddColumn(customers, "full_name", 16).rename_to = "phone";
  TableTransform& orders = AddTransform(plan, "orders", 20);
  AddColumn(orders, "total", 21).rename_to = "customer_id";
  AddColumn(orders, "customer_id", 22).rename_to = "total";
  // Renamed onto the name of a table the plan leaves out.
  AddTransform(plan, "order_lines", 24).rename_to = "tmp_import";
  Status status = ValidatePlanAgainstCatalog(plan, SourceCatalog());
  EXPECT_TRUE(status.has_value()) << status.error().ToString();
}

TEST(PlanValidation, SuggestsTheClosestTable) {
  Plan plan = BasePlan();
  AddTransform(plan, "custmers", 10);
  Error error = ValidationError(plan);
  EXPECT_EQ(error.message().rfind("/p/peerlock.yaml:10:3: transform names table 'custmers', "
                                  "which the source does not have",
                                  0),
            0u)
      << error.message();
  EXPECT_EQ(error.hint(), "did you mean 'customers'?");

  Plan far = BasePlan();
  AddTransform(far, "zzzzzzzzzzzz", 10);
  EXPECT_NE(ValidationError(far).hint().find("customers, orders"), std::string::npos);
}

TEST(PlanValidation, SuggestsTheClosestColumn) {
  Plan plan = BasePlan();
  AddColumn(AddTransform(plan, "customers", 10), "emial", 12).mask = MaskRule{};
  Error error = ValidationError(plan);
  EXPECT_EQ(error.message().rfind("/p/peerlock.yaml:12:7: table 'customers' has no column "
                                  "'emial'",
                                  0),
            0u)
      << error.message();
  EXPECT_EQ(error.hint(), "did you mean 'email'?");
}

TEST(PlanValidation, KeepsKeyColumnsIntact) {
  Plan dropped = BasePlan();
  AddColumn(AddTransform(dropped, "order_lines", 10), "line", 12).drop = true;
  Error error = ValidationError(dropped);
  EXPECT_NE(error.message().find("'line' is in the primary key of 'order_lines' and cannot be "
                                 "dropped"),
            std::string::npos)
      << error.message();
  EXPECT_NE(error.hint().find("chunks and row identity are keyed on"), std::string::npos);
  EXPECT_NE(error.hint().find("rename"), std::string::npos);

  Plan masked = BasePlan();
  AddColumn(AddTransform(masked, "customers", 10), "id", 11).mask =
      MaskRule{.kind = MaskRule::Kind::kFixed, .fixed_value = "0"};
  EXPECT_NE(ValidationError(masked).message().find("cannot be masked"), std::string::npos);
}

TEST(PlanValidation, RejectsTransformsOfTablesLeftOut) {
  Plan excluded = BasePlan();
  AddTransform(excluded, "tmp_import", 10);
  Error error = ValidationError(excluded);
  EXPECT_NE(error.message().find("tables.exclude pattern 'tmp_*' leaves it out"), std::string::npos)
      << error.message();

  Plan not_included = BasePlan();
  not_included.include = {"orders"};
  AddTransform(not_included, "customers", 10);
  EXPECT_NE(ValidationError(not_included).message().find("no tables.include pattern matches"),
            std::string::npos);
}

TEST(PlanValidation, RejectsCastsToUnknownTypes) {
  Plan plan = BasePlan();
  AddColumn(AddTransform(plan, "customers", 10), "price", 11).cast_to = "money";
  EXPECT_NE(ValidationError(plan).message().find("is cast to 'money'"), std::string::npos);
}

TEST(PlanValidation, RejectsTwoColumnsWithOneName) {
  Plan plan = BasePlan();
  AddColumn(AddTransform(plan, "customers", 10), "full_name", 11).rename_to = "Name";
  Error error = ValidationError(plan);
  EXPECT_EQ(error.message().rfind("/p/peerlock.yaml:11:7: column 'full_name' of 'customers' is "
                                  "renamed to 'Name', which column 'name' ends up with too",
                                  0),
            0u)
      << error.message();
}

TEST(PlanValidation, RejectsTwoTablesWithOneName) {
  Plan plan = BasePlan();
  AddTransform(plan, "orders", 10).rename_to = "sales";
  AddTransform(plan, "customers", 14).rename_to = "sales";
  Error error = ValidationError(plan);
  EXPECT_EQ(error.message().rfind("/p/peerlock.yaml:14:3: table 'customers' is renamed to "
                                  "'sales', which table 'orders' ends up with too",
                                  0),
            0u)
      << error.message();

  Plan onto_existing = BasePlan();
  AddTransform(onto_existing, "order_lines", 10).rename_to = "orders";
  EXPECT_NE(ValidationError(onto_existing).message().find("table 'order_lines' is renamed to"),
            std::string::npos);
}

TEST(PlanValidation, ReportsTheTopmostProblemFirst) {
  Plan plan = BasePlan();
  AddTransform(plan, "aaa_missing", 30);
  AddTransform(plan, "zzz_missing", 5);
  EXPECT_NE(ValidationError(plan).message().find("'zzz_missing'"), std::string::npos);
}

TEST(PlanValidation, OmitsTheLocationOfAPlanWithoutFile) {
  Plan plan = PlanFromUrls("sqlite:///a.db", "sqlite:///b.db");
  plan.transforms["nope"];
  Error error = ValidationError(plan);
  EXPECT_EQ(error.message().rfind("transform names table 'nope'", 0), 0u) << error.message();
}

}  // namespace
}  // namespace peerlock
