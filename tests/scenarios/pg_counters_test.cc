// Counters across dialects: a table whose key the database hands out (MariaDB AUTO_INCREMENT,
// PostgreSQL identity or serial, SQLite's INTEGER PRIMARY KEY) lands on another dialect with
// that dialect's own form, continued from the source's counter, so the application's first
// insert after the switch neither fails for want of a key nor collides with a copied row.

#include <gtest/gtest.h>

#include <string>

#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario {
namespace {

namespace ts = test_servers;

std::string Mariadb(const std::string& database, const std::string& sql) {
  ts::CommandResult r = ts::RunMariadb(database, sql);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  return r.out;
}

std::string MariadbEndpoint(const std::string& url) {
  return "{url: \"" + url + "\", password_env: " + ts::MariadbPasswordEnvName() + "}";
}

// copy exits 0 and the verify that follows finds both sides equal.
void CopyAndVerify(const pg::Workspace& ws) {
  RunResult copy = ws.Run("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult verify = ws.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

TEST(Counters, MariadbAutoIncrementContinuesAsAPostgresIdentityUnderItsNewNames) {
  std::string database = ts::TestDatabaseName();
  std::string source = ts::CreateMariadbDatabase(database);
  Mariadb(database,
          "CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10));"
          "INSERT INTO t (v) VALUES ('a'), ('b'), ('c');"
          "ALTER TABLE t AUTO_INCREMENT = 1000;"
          // An unused counter; BIGINT UNSIGNED whose ids fit bigint (Laravel's key), and one
          // whose do not, which PostgreSQL's identity cannot take (numeric(20,0)).
          "CREATE TABLE fresh (id INT AUTO_INCREMENT PRIMARY KEY, v INT);"
          "CREATE TABLE users (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT);"
          "INSERT INTO users (v) VALUES (1), (2); ALTER TABLE users AUTO_INCREMENT = 70;"
          "CREATE TABLE wide (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY);"
          "INSERT INTO wide VALUES (18446744073709551615)");
  std::string target = pg::NewDb("target");
  pg::Workspace ws;
  WriteFile(ws.plan(), "source: " + MariadbEndpoint(source) +
                           "\ntarget: " + pg::EndpointYaml(target) +
                           "\ntransform:\n  t:\n    rename: items\n    columns:\n"
                           "      id: {rename: item_id}\n");
  CopyAndVerify(ws);
  EXPECT_EQ(pg::Psql(target,
                     "SELECT attidentity FROM pg_attribute WHERE attrelid = "
                     "'items'::regclass AND attname = 'item_id'"),
            "d");
  EXPECT_EQ(pg::PsqlInt(target, "INSERT INTO items (v) VALUES ('new') RETURNING item_id"), 1000);
  EXPECT_EQ(pg::PsqlInt(target, "INSERT INTO fresh (v) VALUES (1) RETURNING id"), 1);
  EXPECT_EQ(pg::PsqlInt(target, "INSERT INTO users (v) VALUES (3) RETURNING id"), 70);
  EXPECT_EQ(pg::Psql(target,
                     "SELECT format_type(atttypid, atttypmod) || ' ' || attidentity::text FROM "
                     "pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'id'"),
            "bigint d");
  EXPECT_EQ(pg::Psql(target, "SELECT id FROM wide"), "18446744073709551615");
  EXPECT_EQ(pg::Psql(target,
                     "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                     "attrelid = 'wide'::regclass AND attname = 'id'"),
            "numeric(20,0)");
}

TEST(Counters, PostgresIdentityAndSerialContinueAsMariadbAutoIncrement) {
  std::string source = pg::NewDb("source");
  pg::Psql(source,
           "CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);"
           "INSERT INTO ident (v) VALUES ('a'), ('b');"
           "SELECT setval(pg_get_serial_sequence('ident', 'id'), 500);"
           "CREATE TABLE ser (id serial PRIMARY KEY, v text);"
           "INSERT INTO ser (v) VALUES ('a'), ('b'), ('c'); DELETE FROM ser WHERE id = 3;"
           // Two serials: only the key's may set the MariaDB table's one counter.
           "CREATE TABLE two (id serial PRIMARY KEY, n serial);"
           "INSERT INTO two DEFAULT VALUES; INSERT INTO two DEFAULT VALUES;"
           "SELECT setval(pg_get_serial_sequence('two', 'n'), 900);");
  std::string database = ts::TestDatabaseName().substr(0, 55) + "_target";
  std::string target = ts::CreateMariadbDatabase(database);
  pg::Workspace ws;
  WriteFile(ws.plan(),
            "source: " + pg::EndpointYaml(source) + "\ntarget: " + MariadbEndpoint(target) + "\n");
  CopyAndVerify(ws);
  EXPECT_EQ(Mariadb(database, "INSERT INTO ident (v) VALUES ('new'); SELECT LAST_INSERT_ID()"),
            "501\n");
  // The serial's counter stood at 3 (its row deleted): the next key is 4, not 3.
  EXPECT_EQ(Mariadb(database, "INSERT INTO ser (v) VALUES ('new'); SELECT LAST_INSERT_ID()"),
            "4\n");
  EXPECT_EQ(Mariadb(database, "INSERT INTO two (n) VALUES (7); SELECT LAST_INSERT_ID()"), "3\n");
}

TEST(Counters, SqliteRowidKeysContinueAsPostgresIdentities) {
  TempDir dir;
  std::string path = dir.File("source.db");
  {
    Db db(path);
    ASSERT_TRUE(db.Exec(
        "CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);"
        "INSERT INTO auto (v) VALUES ('a'), ('b'), ('c'), ('d'); DELETE FROM auto WHERE id = 4;"
        "CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT);"
        "INSERT INTO plain VALUES (5, 'a'), (41, 'b');"
        "CREATE TABLE empty (id INTEGER PRIMARY KEY, v TEXT);"
        "CREATE TABLE composite (a INTEGER, b INTEGER, PRIMARY KEY (a, b));"
        "INSERT INTO composite VALUES (1, 2);"));
  }
  std::string target = pg::NewDb("target");
  pg::Workspace ws;
  ws.Plan(SqliteUrl(path), target);
  CopyAndVerify(ws);
  // AUTOINCREMENT never hands out a number twice: 4 was used, so 5 comes next.
  EXPECT_EQ(pg::PsqlInt(target, "INSERT INTO auto (v) VALUES ('new') RETURNING id"), 5);
  EXPECT_EQ(pg::PsqlInt(target, "INSERT INTO plain (v) VALUES ('new') RETURNING id"), 42);
  EXPECT_EQ(pg::PsqlInt(target, "INSERT INTO empty (v) VALUES ('new') RETURNING id"), 1);
  // A composite key is not handed out by SQLite: no identity on the target.
  EXPECT_EQ(pg::Psql(target,
                     "SELECT string_agg(attidentity, '') FROM pg_attribute WHERE "
                     "attrelid = 'composite'::regclass AND attnum > 0"),
            "");
}

}  // namespace
}  // namespace peerlock::scenario
