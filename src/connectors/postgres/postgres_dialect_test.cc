#include "connectors/postgres/postgres_dialect.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(PostgresDialect, QuotesIdentifiersAndQualifiedTables) {
  PostgresDialect d;
  EXPECT_EQ(d.QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(d.QuoteTable("orders"), "\"orders\"");
  EXPECT_EQ(d.QuoteTable("sales.orders"), "\"sales\".\"orders\"");
  EXPECT_EQ(SplitPgTableName("orders").first, "public");
  EXPECT_EQ(SplitPgTableName("s.t").second, "t");
}

TEST(PostgresDialect, NamesWithDotsOrQuotesRoundTrip) {
  PostgresDialect d;
  for (auto [schema, name] :
       std::vector<std::pair<std::string, std::string>>{{"public", "orders"},
                                                        {"sales", "orders"},
                                                        {"public", "order.items"},
                                                        {"my.schema", "t"},
                                                        {"my.schema", "a\"b.c"},
                                                        {"public", "\"quoted"}}) {
    std::string peerlock = PeerlockName(schema, name);
    EXPECT_EQ(SplitPgTableName(peerlock), std::make_pair(schema, name)) << peerlock;
  }
  EXPECT_EQ(PeerlockName("public", "order.items"), "\"order.items\"");
  EXPECT_EQ(d.QuoteTable(PeerlockName("my.schema", "t")), "\"my.schema\".\"t\"");
  EXPECT_EQ(d.QuoteTable(PeerlockName("public", "order.items")), "\"public\".\"order.items\"");
}

TEST(PostgresDialect, FormatTypeNamesMapToLogicalTypes) {
  PostgresDialect d;
  EXPECT_EQ(LogicalTypeName(d.ToLogical("smallint")), "int16");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("bigint")), "int64");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("numeric(12,2)")), "decimal(12,2)");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("numeric")), "decimal");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("real")), "float32");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("character varying(40)")), "text(40)");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("timestamp(3) with time zone")), "timestamptz");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("timestamp without time zone")), "timestamp");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("time without time zone")), "time");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("jsonb")), "json");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("bit varying(5)")), "bits");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("integer[]")), "opaque");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("money")), "opaque");
  EXPECT_EQ(LogicalTypeName(d.ToLogical("inet")), "opaque");
}

TEST(PostgresDialect, LogicalTypesMapBackWithFidelity) {
  PostgresDialect d;
  EXPECT_EQ(d.FromLogical(*ParseLogicalType("decimal(65,30)")).native_type, "numeric(65,30)");
  auto u64 = d.FromLogical(*ParseLogicalType("uint64"));
  EXPECT_EQ(u64.native_type, "numeric(20,0)");
  EXPECT_EQ(u64.fidelity, Fidelity::kWidened);
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kAny)).fidelity, Fidelity::kLossy);
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kBytes)).native_type, "bytea");
}

TEST(PostgresDialect, RendersTablesAndIdempotentPostData) {
  PostgresDialect d;
  Table t;
  t.name = "sales.orders";
  t.columns = {Column{.name = "id", .type = MakeType(TypeKind::kInt), .nullable = false},
               Column{.name = "note", .type = MakeType(TypeKind::kText)}};
  t.primary_key = {"id"};
  t.indexes = {Index{.name = "orders_note", .columns = {"note"}}};
  t.foreign_keys = {ForeignKey{
      .name = "fk_c", .columns = {"id"}, .ref_table = "customers", .ref_columns = {"id"}}};
  auto create = d.CreateTableSql(t);
  ASSERT_EQ(create.size(), 2u);
  EXPECT_EQ(create[0], "CREATE SCHEMA IF NOT EXISTS \"sales\"");
  EXPECT_NE(create[1].find("CREATE TABLE IF NOT EXISTS \"sales\".\"orders\""), std::string::npos);
  EXPECT_NE(create[1].find("\"id\" bigint NOT NULL"), std::string::npos);
  EXPECT_NE(create[1].find("PRIMARY KEY (\"id\")"), std::string::npos);
  auto post = d.PostDataSql(t);
  ASSERT_EQ(post.size(), 3u);
  EXPECT_NE(post[0].find("CREATE INDEX IF NOT EXISTS \"orders_note\""), std::string::npos);
  EXPECT_NE(post[1].find("NOT VALID"), std::string::npos);
  EXPECT_NE(post[1].find("duplicate_object"), std::string::npos);
  EXPECT_EQ(post[2], "ANALYZE \"sales\".\"orders\"");
}

}  // namespace
}  // namespace peerlock
