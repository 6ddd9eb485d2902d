#include "connectors/mysql/mysql_errors.h"

#include <errmsg.h>
#include <gtest/gtest.h>
#include <mysqld_error.h>

namespace peerlock {
namespace {

Endpoint Parsed(const std::string& url) {
  auto e = Endpoint::Parse(url);
  EXPECT_TRUE(e.has_value());
  return *e;
}

TEST(MysqlErrors, WrongPasswordNamesTheUserAndWhereThePasswordComesFrom) {
  Endpoint e = Parsed("mysql://app:s3cret@db.example:3307/shop");
  Error error = MysqlErrorFor(ER_ACCESS_DENIED_ERROR, "Access denied for user 'app'@'10.0.0.1'",
                              "connecting to " + e.Redacted(), &e);
  EXPECT_EQ(error.code(), ErrorCode::kConnection);
  EXPECT_EQ(ExitCodeFor(error.code()), kExitRuntime);
  EXPECT_NE(error.hint().find("'app'"), std::string::npos) << error.hint();
  EXPECT_NE(error.hint().find("password_env"), std::string::npos) << error.hint();
  EXPECT_EQ(error.ToString().find("s3cret"), std::string::npos) << error.ToString();
  EXPECT_EQ(error.native_code(), "MySQL 1045");
}

TEST(MysqlErrors, MissingPrivilegeGivesTheGrant) {
  Endpoint e = Parsed("mysql://loader@db:3306/target");
  Error error =
      MysqlErrorFor(ER_TABLEACCESS_DENIED_ERROR, "CREATE command denied", "creating t", &e);
  EXPECT_NE(error.hint().find("GRANT"), std::string::npos);
  EXPECT_NE(error.hint().find("ON `target`.* TO 'loader'@'%'"), std::string::npos) << error.hint();
}

TEST(MysqlErrors, UnreachableHostNamesHostAndPortAndIsRetryable) {
  Endpoint e = Parsed("mariadb://app@10.9.9.9/shop");
  Error error = MysqlErrorFor(CR_CONN_HOST_ERROR, "Can't connect", "connecting", &e);
  EXPECT_EQ(error.code(), ErrorCode::kConnection);
  EXPECT_TRUE(error.retryable());
  EXPECT_NE(error.hint().find("10.9.9.9:3306"), std::string::npos) << error.hint();
}

TEST(MysqlErrors, ValuesTheTargetRefusesAreDataLoss) {
  Error error = MysqlErrorFor(ER_WARN_DATA_OUT_OF_RANGE, "Out of range value", "loading t");
  EXPECT_EQ(error.code(), ErrorCode::kDataLoss);
  EXPECT_EQ(ExitCodeFor(error.code()), kExitProblemFound);
}

}  // namespace
}  // namespace peerlock
