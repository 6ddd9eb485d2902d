#include "connectors/mysql/mysql_tools.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace peerlock {
namespace {

bool Has(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

TEST(MysqlToolArgs, CarryTheEndpointButNeverItsPassword) {
  auto endpoint = Endpoint::Parse("mysql://app:pw-secret@db.internal:3307/shop");
  ASSERT_TRUE(endpoint.has_value());
  std::vector<std::string> args = MysqlToolArgs(*endpoint);
  EXPECT_TRUE(Has(args, "--host=db.internal"));
  EXPECT_TRUE(Has(args, "--port=3307"));
  EXPECT_TRUE(Has(args, "--user=app"));
  EXPECT_FALSE(Has(args, "--ssl"));
  for (const std::string& a : args) EXPECT_EQ(a.find("pw-secret"), std::string::npos) << a;
  // The password goes by environment only.
  auto env = MysqlToolEnv(*endpoint);
  ASSERT_EQ(env.size(), 1u);
  EXPECT_EQ(env["MYSQL_PWD"], "pw-secret");
  EXPECT_TRUE(MysqlToolEnv(*Endpoint::Parse("mysql://app@db/shop")).empty());
}

TEST(MysqlToolArgs, FollowTheUrlsSocketAndTls) {
  auto tls = Endpoint::Parse("mysql://app@db:3306/shop?ssl_ca=/etc/ca.pem&ssl_cert=/c&ssl_key=/k");
  ASSERT_TRUE(tls.has_value());
  std::vector<std::string> args = MysqlToolArgs(*tls);
  for (const char* expected : {"--ssl", "--ssl-ca=/etc/ca.pem", "--ssl-verify-server-cert",
                               "--ssl-cert=/c", "--ssl-key=/k"})
    EXPECT_TRUE(Has(args, expected)) << expected;
  EXPECT_TRUE(Has(MysqlToolArgs(*Endpoint::Parse("mysql://app@db/shop?ssl=true")), "--ssl"));
  auto socket = Endpoint::Parse("mysql://app@localhost/shop?socket=/run/mysqld/mysqld.sock");
  ASSERT_TRUE(socket.has_value());
  EXPECT_TRUE(Has(MysqlToolArgs(*socket), "--socket=/run/mysqld/mysqld.sock"));
}

}  // namespace
}  // namespace peerlock
