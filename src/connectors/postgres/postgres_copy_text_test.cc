#include "connectors/postgres/postgres_copy_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace peerlock {
namespace {

TEST(PostgresCopyText, DecodesEveryCellKind) {
  std::vector<PgCell> cells = {PgCell::kInt,   PgCell::kFloat, PgCell::kBool,
                               PgCell::kBytes, PgCell::kText,  PgCell::kText};
  RowBatch batch(static_cast<int>(cells.size()));
  std::string scratch;
  ASSERT_TRUE(DecodeCopyRow("-9223372036854775808\t-Infinity\tt\t\\\\x00ff\ta\\tb\\nc\\\\d\t\\N",
                            cells, batch, scratch));
  EXPECT_EQ(batch.Get(0, 0).i, std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(std::isinf(batch.Get(0, 1).f) && batch.Get(0, 1).f < 0);
  EXPECT_EQ(batch.Get(0, 2).i, 1);
  EXPECT_EQ(batch.Get(0, 3).kind, ValueKind::kBytes);
  EXPECT_EQ(batch.Get(0, 3).s, std::string("\0\xff", 2));
  EXPECT_EQ(batch.Get(0, 4).s, "a\tb\nc\\d");
  EXPECT_TRUE(batch.Get(0, 5).is_null());
}

TEST(PostgresCopyText, EmptyTextIsNotNull) {
  RowBatch batch(2);
  std::string scratch;
  ASSERT_TRUE(DecodeCopyRow("\t\\N", {PgCell::kText, PgCell::kText}, batch, scratch));
  EXPECT_EQ(batch.Get(0, 0).kind, ValueKind::kText);
  EXPECT_EQ(batch.Get(0, 0).s, "");
  EXPECT_TRUE(batch.Get(0, 1).is_null());
}

TEST(PostgresCopyText, RejectsWrongFieldCountsAndBadValues) {
  RowBatch batch(2);
  std::string scratch;
  EXPECT_FALSE(DecodeCopyRow("1", {PgCell::kInt, PgCell::kInt}, batch, scratch));
  EXPECT_FALSE(DecodeCopyRow("1\t2\t3", {PgCell::kInt, PgCell::kInt}, batch, scratch));
  EXPECT_FALSE(DecodeCopyRow("x\t2", {PgCell::kInt, PgCell::kInt}, batch, scratch));
  EXPECT_FALSE(DecodeCopyRow("\\\\x0\t2", {PgCell::kBytes, PgCell::kInt}, batch, scratch));
}

TEST(PostgresCopyText, EncodeThenDecodeIsIdentity) {
  RowBatch in(6);
  in.AddInt(42);
  in.AddFloat(0.1);
  in.AddText("tab\there\\ and \r\n newline, emoji \xF0\x9F\x98\x80");
  in.AddBytes(std::string("\0\x01\xfe", 3));
  in.AddNull();
  in.AddFloat(std::numeric_limits<double>::quiet_NaN());
  std::vector<PgCell> cells = {PgCell::kInt,   PgCell::kFloat, PgCell::kText,
                               PgCell::kBytes, PgCell::kText,  PgCell::kFloat};
  std::string line;
  ASSERT_TRUE(EncodeCopyRow(in, 0, cells, line, nullptr));
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  RowBatch out(6);
  std::string scratch;
  ASSERT_TRUE(DecodeCopyRow(line, cells, out, scratch));
  EXPECT_EQ(out.Get(0, 0).i, 42);
  EXPECT_EQ(out.Get(0, 1).f, 0.1);
  EXPECT_EQ(out.Get(0, 2).s, in.Get(0, 2).s);
  EXPECT_EQ(out.Get(0, 3).s, in.Get(0, 3).s);
  EXPECT_TRUE(out.Get(0, 4).is_null());
  EXPECT_TRUE(std::isnan(out.Get(0, 5).f));
}

TEST(PostgresCopyText, NulInTextIsRefusedNamingTheColumn) {
  RowBatch in(2);
  in.AddInt(1);
  in.AddText(std::string("a\0b", 3));
  std::string line;
  int bad = -1;
  auto st = EncodeCopyRow(in, 0, {PgCell::kInt, PgCell::kText}, line, &bad);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(bad, 1);
  // The same bytes go into a bytea column untouched.
  line.clear();
  EXPECT_TRUE(EncodeCopyRow(in, 0, {PgCell::kInt, PgCell::kBytes}, line, &bad));
  EXPECT_EQ(line, "1\t\\\\x610062\n");
}

TEST(PostgresCopyText, CellKindsFollowFormatTypeNames) {
  EXPECT_EQ(PgCellFor("bigint"), PgCell::kInt);
  EXPECT_EQ(PgCellFor("double precision"), PgCell::kFloat);
  EXPECT_EQ(PgCellFor("boolean"), PgCell::kBool);
  EXPECT_EQ(PgCellFor("bytea"), PgCell::kBytes);
  EXPECT_EQ(PgCellFor("numeric(12,2)"), PgCell::kText);  // exact: never through a double
  EXPECT_EQ(PgCellFor("integer[]"), PgCell::kText);
}

}  // namespace
}  // namespace peerlock
