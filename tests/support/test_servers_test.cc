// Proves the server wiring end to end: CTest started both servers (fixture `servers`), passed
// their directories in the environment, and the harness reaches them with the command-line
// clients, authenticated through the password variables it set.

#include "support/test_servers.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace peerlock::test_servers {
namespace {

TEST(TestServers, PsqlSelectsOneOnAFreshDatabase) {
  std::string url = CreatePgDatabase(TestDatabaseName());
  EXPECT_EQ(url, PgDatabaseUrl(TestDatabaseName()));
  EXPECT_TRUE(PgAdminUrl().starts_with("postgresql://peerlock@127.0.0.1:")) << PgAdminUrl();
  CommandResult result = RunPsql(url, "select 1");
  ASSERT_EQ(result.exit_code, 0) << result.Describe();
  EXPECT_EQ(result.out, "1\n");

  CommandResult settings = RunPsql(url, "select current_database(), current_setting('wal_level')");
  ASSERT_EQ(settings.exit_code, 0) << settings.Describe();
  EXPECT_EQ(settings.out, TestDatabaseName() + "|logical\n");
  CommandResult text = RunPsql(url, "select 'é 😀'");
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_EQ(text.out, "é 😀\n");
  const char* password = std::getenv(PgPasswordEnvName().c_str());
  ASSERT_NE(password, nullptr);
  EXPECT_EQ(password, PgPassword());
}

TEST(TestServers, MariadbSelectsOneOnAFreshDatabase) {
  std::string url = CreateMariadbDatabase(TestDatabaseName());
  EXPECT_EQ(url, MariadbDatabaseUrl(TestDatabaseName()));
  EXPECT_TRUE(MariadbAdminUrl().starts_with("mysql://peerlock@127.0.0.1:")) << MariadbAdminUrl();
  CommandResult result = RunMariadb(TestDatabaseName(), "select 1");
  ASSERT_EQ(result.exit_code, 0) << result.Describe();
  EXPECT_EQ(result.out, "1\n");

  CommandResult settings =
      RunMariadb(TestDatabaseName(), "select database(), @@binlog_format, @@binlog_row_image");
  ASSERT_EQ(settings.exit_code, 0) << settings.Describe();
  EXPECT_EQ(settings.out, TestDatabaseName() + "\tROW\tFULL\n");
  CommandResult text = RunMariadb(TestDatabaseName(), "select 'é 😀'");
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_EQ(text.out, "é 😀\n");
  const char* password = std::getenv(MariadbPasswordEnvName().c_str());
  ASSERT_NE(password, nullptr);
  EXPECT_EQ(password, MariadbPassword());
}

TEST(TestServers, CreatingADatabaseAgainStartsItEmpty) {
  std::string url = CreatePgDatabase(TestDatabaseName());
  ASSERT_EQ(RunPsql(url, "create table t (id int)").exit_code, 0);
  url = CreatePgDatabase(TestDatabaseName());
  CommandResult tables = RunPsql(url, "select count(*) from pg_tables where tablename = 't'");
  ASSERT_EQ(tables.exit_code, 0) << tables.Describe();
  EXPECT_EQ(tables.out, "0\n");

  CreateMariadbDatabase(TestDatabaseName());
  ASSERT_EQ(RunMariadb(TestDatabaseName(), "create table t (id int)").exit_code, 0);
  CreateMariadbDatabase(TestDatabaseName());
  CommandResult mtables = RunMariadb(TestDatabaseName(), "show tables");
  ASSERT_EQ(mtables.exit_code, 0) << mtables.Describe();
  EXPECT_EQ(mtables.out, "");
}

}  // namespace
}  // namespace peerlock::test_servers
