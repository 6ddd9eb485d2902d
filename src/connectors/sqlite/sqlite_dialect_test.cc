#include "connectors/sqlite/sqlite_dialect.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(SqliteDialect, FollowsAffinityRules) {
  SqliteDialect d;
  EXPECT_EQ(d.ToLogical("BIGINT").kind, TypeKind::kInt);
  EXPECT_EQ(d.ToLogical("VARCHAR(40)").kind, TypeKind::kText);
  EXPECT_EQ(d.ToLogical("").kind, TypeKind::kAny);
  EXPECT_EQ(d.ToLogical("DOUBLE PRECISION").kind, TypeKind::kFloat64);
  auto dec = d.ToLogical("DECIMAL(12,2)");
  EXPECT_EQ(dec.kind, TypeKind::kDecimal);
  EXPECT_EQ(dec.precision.value_or(0), 12);
  EXPECT_EQ(dec.scale.value_or(0), 2);
  EXPECT_EQ(d.ToLogical("BOOLEAN").kind, TypeKind::kBool);
  EXPECT_EQ(d.QuoteIdentifier("my \"t\""), "\"my \"\"t\"\"\"");
}

}  // namespace
}  // namespace peerlock
