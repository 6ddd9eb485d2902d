#include "convert/row_transform.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

Table Customers() {
  Table t;
  t.name = "customers";
  t.columns = {Column{.name = "id", .source_type = "INTEGER", .type = MakeType(TypeKind::kInt)},
               Column{.name = "email", .source_type = "TEXT", .type = MakeType(TypeKind::kText)},
               Column{.name = "price", .source_type = "TEXT", .type = MakeType(TypeKind::kText)},
               Column{.name = "fax", .source_type = "TEXT", .type = MakeType(TypeKind::kText)}};
  t.primary_key = {"id"};
  t.native_sql = "CREATE TABLE customers (...)";
  return t;
}

TEST(TableMapping, AppliesRenamesDropsCastsAndMasks) {
  std::map<std::string, TableTransform> rules;
  auto& r = rules["customers"];
  r.rename_to = "clients";
  r.columns["email"].mask = MaskRule{.kind = MaskRule::Kind::kHash};
  r.columns["price"].cast_to = "decimal(10,2)";
  r.columns["fax"].drop = true;
  // Same dialect: the target dialect is not consulted for type mapping.
  MappingContext ctx{.target_dialect = nullptr,
                     .same_dialect = true,
                     .transforms = &rules,
                     .in_scope = {"customers"}};
  auto m = MapTable(Customers(), ctx);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->target_table, "clients");
  EXPECT_EQ(m->target_columns, (std::vector<std::string>{"id", "email", "price"}));
  EXPECT_TRUE(m->target.native_sql.empty());  // reshaped: rendered, not replayed
  EXPECT_TRUE(m->changes_values);

  RowBatch in(3), out;
  in.AddInt(7);
  in.AddText("a@b.c");
  in.AddText("12.50");
  ASSERT_TRUE(TransformBatch(*m, in, out).has_value());
  EXPECT_EQ(out.Get(0, 0).i, 7);
  EXPECT_EQ(out.Get(0, 1).s.size(), 64u);
  EXPECT_NE(out.Get(0, 1).s, "a@b.c");
  EXPECT_EQ(out.Get(0, 2).s, "12.5");
}

TEST(TableMapping, RefusesToRoundOrMaskKeys) {
  std::map<std::string, TableTransform> rules;
  rules["customers"].columns["price"].cast_to = "decimal(10,1)";
  // Same dialect: the target dialect is not consulted for type mapping.
  MappingContext ctx{.target_dialect = nullptr,
                     .same_dialect = true,
                     .transforms = &rules,
                     .in_scope = {"customers"}};
  auto m = MapTable(Customers(), ctx);
  ASSERT_TRUE(m.has_value());
  RowBatch in(4), out;
  in.AddInt(1);
  in.AddText("x");
  in.AddText("12.55");
  in.AddNull();
  auto st = TransformBatch(*m, in, out);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(st.error().message().find("id=1"), std::string::npos);
  EXPECT_NE(st.error().message().find("price"), std::string::npos);

  rules["customers"].columns["id"].mask = MaskRule{};
  EXPECT_FALSE(MapTable(Customers(), ctx).has_value());
}

}  // namespace
}  // namespace peerlock
