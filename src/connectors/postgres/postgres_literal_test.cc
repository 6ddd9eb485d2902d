#include "connectors/postgres/postgres_literal.h"

#include <gtest/gtest.h>

#include <limits>

namespace peerlock {
namespace {

TEST(PostgresLiteral, QuotesEveryKindForTheColumnsInputFunction) {
  std::vector<PgCell> cells = {PgCell::kInt,  PgCell::kFloat, PgCell::kFloat, PgCell::kBytes,
                               PgCell::kText, PgCell::kText,  PgCell::kBool};
  RowBatch batch(static_cast<int>(cells.size()));
  batch.AddInt(std::numeric_limits<int64_t>::min());
  batch.AddFloat(std::numeric_limits<double>::quiet_NaN());
  batch.AddFloat(-std::numeric_limits<double>::infinity());
  batch.AddBytes(std::string("\0\xff'\\", 4));
  batch.AddText("it's a \\ back\tslash\n");
  batch.AddNull();
  batch.AddInt(1);
  std::string out;
  int bad = -1;
  ASSERT_TRUE(AppendPgLiteralRow(batch, 0, cells, out, &bad));
  EXPECT_EQ(out,
            "('-9223372036854775808', 'NaN', '-Infinity', E'\\\\x00ff275c', "
            "E'it''s a \\\\ back\tslash\n', NULL, '1')");
  EXPECT_EQ(bad, -1);
}

TEST(PostgresLiteral, ANulInTextIsRefusedNamingTheColumn) {
  RowBatch batch(2);
  batch.AddText("fine");
  batch.AddText(std::string("a\0b", 3));
  std::string out;
  int bad = -1;
  auto st = AppendPgLiteralRow(batch, 0, {PgCell::kText, PgCell::kText}, out, &bad);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(bad, 1);
  // The same bytes are fine for bytea.
  out.clear();
  EXPECT_TRUE(AppendPgLiteral(batch.Get(0, 1), PgCell::kBytes, out));
  EXPECT_EQ(out, "E'\\\\x610062'");
}

}  // namespace
}  // namespace peerlock
