#include "connector/endpoint.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(Endpoint, ParsesSqlitePaths) {
  EXPECT_EQ(Endpoint::Parse("sqlite:///abs/x.db")->path(), "/abs/x.db");
  EXPECT_EQ(Endpoint::Parse("sqlite://rel/x.db")->path(), "rel/x.db");
  EXPECT_EQ(Endpoint::Parse("sqlite:///abs/x.db")->Redacted(), "sqlite:///abs/x.db");
  EXPECT_FALSE(Endpoint::Parse("sqlite://").has_value());
  EXPECT_FALSE(Endpoint::Parse("no-scheme").has_value());
}

TEST(Endpoint, NeverPrintsPasswords) {
  auto e =
      Endpoint::Parse("postgresql://alice:s3cret@db.local:5433/shop?sslmode=require&password=x");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->user(), "alice");
  EXPECT_EQ(e->password(), "s3cret");
  EXPECT_EQ(e->port(), 5433);
  EXPECT_EQ(e->database(), "shop");
  EXPECT_EQ(e->Redacted().find("s3cret"), std::string::npos);
  EXPECT_NE(e->Redacted().find("sslmode=require"), std::string::npos);
  EXPECT_EQ(e->Redacted().find("password=x"), std::string::npos);
  auto bad = Endpoint::Parse("postgresql://bob:pw@h:99999/db");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message().find(":pw@"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
