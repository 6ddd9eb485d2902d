#include "connectors/sqlite/sqlite_affinity.h"

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_statement.h"

namespace peerlock {
namespace {

ValueView Text(std::string_view s) { return ValueView{.kind = ValueKind::kText, .s = s}; }

TEST(SqliteAffinity, FollowsSqlitesRulesInTheirOrder) {
  EXPECT_EQ(AffinityOf("BIGINT UNSIGNED"), SqliteAffinity::kInteger);
  EXPECT_EQ(AffinityOf("FLOATING POINT"), SqliteAffinity::kInteger);  // "int" comes first
  EXPECT_EQ(AffinityOf("VARCHAR(20)"), SqliteAffinity::kText);
  EXPECT_EQ(AffinityOf(""), SqliteAffinity::kBlob);
  EXPECT_EQ(AffinityOf("double"), SqliteAffinity::kReal);
  EXPECT_EQ(AffinityOf("DECIMAL(10,2)"), SqliteAffinity::kNumeric);
}

TEST(SqliteAffinity, RefusesAnIntegerBeyond64BitsOnlyWhereSqliteWouldRoundIt) {
  const auto max = Text("18446744073709551615");
  for (auto a : {SqliteAffinity::kInteger, SqliteAffinity::kNumeric, SqliteAffinity::kReal}) {
    Status st = CheckStoredExactly(a, max);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss);
    EXPECT_NE(st.error().message().find("18446744073709551615"), std::string::npos);
    EXPECT_NE(st.error().hint().find("decimal(20,0)"), std::string::npos);
  }
  EXPECT_FALSE(CheckStoredExactly(SqliteAffinity::kInteger, Text("-9223372036854775809")));
  EXPECT_FALSE(CheckStoredExactly(SqliteAffinity::kInteger, Text(" 9223372036854775808 ")));
  // Text columns keep the text; values that fit, and non-integers, are SQLite's to convert.
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kText, max));
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kBlob, max));
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kInteger, Text("9223372036854775807")));
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kInteger, Text("-9223372036854775808")));
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kNumeric, Text("12.50")));
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kInteger, Text("abc")));
  EXPECT_TRUE(CheckStoredExactly(SqliteAffinity::kInteger, Text("")));
}

TEST(SqliteAffinity, DescribesATablesWriteColumnsAndNamesARowByItsKey) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE t (v BIGINT, b TEXT, a INTEGER, note, "
                         "PRIMARY KEY (b, a))",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto cols = DescribeWriteColumns(db, "t", {"a", "note", "v", "b", "missing"});
  ASSERT_TRUE(cols) << cols.error().message();
  EXPECT_EQ(cols->affinity,
            (std::vector{SqliteAffinity::kInteger, SqliteAffinity::kBlob, SqliteAffinity::kInteger,
                         SqliteAffinity::kText, SqliteAffinity::kBlob}));
  EXPECT_EQ(cols->key, (std::vector{3, 0}));  // b, then a: the primary key's order

  RowBatch batch(5);
  batch.AddInt(7);
  batch.AddNull();
  batch.AddText("18446744073709551615");
  batch.AddText("x");
  batch.AddNull();
  EXPECT_EQ(DescribeRowKey(batch, 0, cols->key, {"a", "note", "v", "b", "missing"}),
            "key b=x, a=7");
  EXPECT_EQ(DescribeRowKey(batch, 0, {}, {"a", "note", "v", "b", "missing"}), "");
  sqlite3_close(db);
}

}  // namespace
}  // namespace peerlock
