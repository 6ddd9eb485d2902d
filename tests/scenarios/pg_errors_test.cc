// Bad input and refusals with PostgreSQL endpoints, through the real binary: a wrong password
// (exit 3, said so, the password never printed or stored), an unreachable server (exit 3, the
// redacted URL named), a missing privilege (the GRANT that fixes it named), a target that
// already holds rows (exit 1 with the --if-exists hint) or a conflicting schema, a value the
// target cannot hold (exit 1 naming table and column, nothing half-loaded).

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using pg::NewDb;
using pg::Psql;
using pg::PsqlInt;

std::string AllOutput(const RunResult& r) { return r.out + "\n" + r.err; }

// Every byte of every file under `dir` (the state store, its WAL and journal files).
std::string EveryFileUnder(const std::string& dir) {
  std::string all;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec))
    if (entry.is_regular_file()) all += ReadFile(entry.path().string());
  return all;
}

// Rows of public.`table` on `url`, 0 when the table does not exist.
int64_t RowsIfExists(const std::string& url, const std::string& table) {
  if (Psql(url, "SELECT to_regclass('public." + table + "') IS NULL") == "t") return 0;
  return PsqlInt(url, "SELECT count(*) FROM public." + table);
}

// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

constexpr const char* kWrongPassword = "Wr0ng-Pa55word-zebra-4711";

TEST(PgErrors, WrongPasswordIsRefusedAndNeverShownOrStored) {
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  Psql(source, "CREATE TABLE t (id integer PRIMARY KEY); INSERT INTO t VALUES (1);");
  pg::Workspace ws;
  ws.Plan(source, target);
  // The plan names a variable holding the wrong password; PGPASSWORD (which libpq would fall
  // back to) holds it too, so nothing can rescue the connection.
  std::string plan = "source: {url: \"" + source +
                     "\", password_env: PEERLOCK_WRONG_PW}\ntarget: " + pg::EndpointYaml(target) +
                     "\n";
  WriteFile(ws.plan(), plan);
  EnvList env = {{"PEERLOCK_WRONG_PW", kWrongPassword}, {"PGPASSWORD", kWrongPassword}};

  for (const char* command : {"inventory", "copy", "verify"}) {
    RunResult r = ws.Run(command, {}, env);
    EXPECT_EQ(r.exit_code, 3) << command << "\n" << r.Describe();
    EXPECT_NE(AllOutput(r).find("password"), std::string::npos) << r.Describe();
    EXPECT_NE(AllOutput(r).find("refused"), std::string::npos) << r.Describe();
    EXPECT_EQ(AllOutput(r).find(kWrongPassword), std::string::npos)
        << command << " printed the password:\n"
        << r.Describe();
    EXPECT_EQ(AllOutput(r).find(test_servers::PgPassword()), std::string::npos)
        << command << " printed the real password:\n"
        << r.Describe();
  }
  if (FileExists(ws.state())) {
    std::string stored = EveryFileUnder(ws.state());
    EXPECT_EQ(stored.find(kWrongPassword), std::string::npos)
        << "the wrong password is stored under " << ws.state();
    EXPECT_EQ(stored.find(test_servers::PgPassword()), std::string::npos)
        << "the real password is stored under " << ws.state();
  }
  EXPECT_EQ(Psql(target, "SELECT to_regclass('public.t') IS NULL"), "t");

  // The same on the target side.
  plan = "source: " + pg::EndpointYaml(source) + "\ntarget: {url: \"" + target +
         "\", password_env: PEERLOCK_WRONG_PW}\n";
  WriteFile(ws.plan(), plan);
  RunResult copy = ws.Run("copy", {}, env);
  EXPECT_EQ(copy.exit_code, 3) << copy.Describe();
  EXPECT_NE(AllOutput(copy).find("password"), std::string::npos) << copy.Describe();
  EXPECT_EQ(AllOutput(copy).find(kWrongPassword), std::string::npos) << copy.Describe();
}

TEST(PgErrors, PasswordInTheUrlIsRedactedEverywhere) {
  std::string target = NewDb("dst");
  pg::Workspace ws;
  int port = ClosedPort();
  std::string url = "postgresql://peerlock:" + std::string(kWrongPassword) +
                    "@127.0.0.1:" + std::to_string(port) + "/nowhere";
  WriteFile(ws.plan(),
            "source: {url: \"" + url + "\"}\ntarget: " + pg::EndpointYaml(target) + "\n");
  for (const char* command : {"inventory", "copy", "verify"}) {
    RunResult r = ws.Run(command);
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(AllOutput(r).find(kWrongPassword), std::string::npos)
        << command << " printed the URL's password:\n"
        << r.Describe();
  }
  if (FileExists(ws.state())) {
    EXPECT_EQ(EveryFileUnder(ws.state()).find(kWrongPassword), std::string::npos);
  }
}

TEST(PgErrors, UnreachableServerIsARuntimeFailureNamingTheRedactedUrl) {
  std::string target = NewDb("dst");
  int port = ClosedPort();
  std::string url = "postgresql://peerlock@127.0.0.1:" + std::to_string(port) + "/legacy";
  pg::Workspace ws;
  ws.Plan(url, target);
  for (const char* command : {"inventory", "copy", "verify"}) {
    RunResult r = ws.Run(command);
    EXPECT_EQ(r.exit_code, 3) << command << "\n" << r.Describe();
    EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port) + "/legacy"), std::string::npos)
        << r.Describe();
    EXPECT_EQ(AllOutput(r).find(test_servers::PgPassword()), std::string::npos) << r.Describe();
  }

  // A host name that does not resolve.
  ws.Plan("postgresql://peerlock@no-such-host.invalid:5432/legacy", target);
  RunResult r = ws.Run("copy");
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_NE(r.err.find("no-such-host.invalid"), std::string::npos) << r.Describe();
}

TEST(PgErrors, MissingPrivilegeNamesTheGrant) {
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  std::string role = pg::DbName("reader");  // roles are per cluster: one per test
  std::string password = "reader-pw-31337";
  Psql(source, "DROP ROLE IF EXISTS " + role);
  Psql(source, "CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
  Psql(source, R"sql(
    CREATE TABLE open_t (id integer PRIMARY KEY, v text);
    CREATE TABLE closed_t (id integer PRIMARY KEY, secret text);
    INSERT INTO open_t VALUES (1, 'a'), (2, 'b');
    INSERT INTO closed_t VALUES (1, 'x');
  )sql");
  Psql(source, "GRANT SELECT ON open_t TO " + role);

  std::string reader_url = source;
  reader_url.replace(reader_url.find("peerlock@"), 8, role);
  pg::Workspace ws;
  WriteFile(ws.plan(), "source: {url: \"" + reader_url +
                           "\", password_env: PEERLOCK_READER_PW}\ntarget: " +
                           pg::EndpointYaml(target) + "\n");
  EnvList env = {{"PEERLOCK_READER_PW", password}};
  RunResult copy = ws.Run("copy", {}, env);
  EXPECT_NE(copy.exit_code, 0) << copy.Describe();
  EXPECT_NE(copy.exit_code, 3) << "a missing privilege is no runtime failure\n" << copy.Describe();
  EXPECT_NE(copy.err.find("GRANT SELECT ON TABLE"), std::string::npos) << copy.Describe();
  EXPECT_NE(copy.err.find("closed_t"), std::string::npos) << copy.Describe();
  EXPECT_EQ(AllOutput(copy).find(password), std::string::npos) << copy.Describe();

  // With the grant the copy goes through.
  Psql(source, "GRANT SELECT ON closed_t TO " + role);
  RunResult again = ws.Run("copy", {}, env);
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(PsqlInt(target, "SELECT count(*) FROM closed_t"), 1);

  test_servers::RunPsql(source, "DROP OWNED BY " + role + "; DROP ROLE IF EXISTS " + role);
}

TEST(PgErrors, TargetHoldingRowsIsRefusedWithTheIfExistsHint) {
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  Psql(source,
       "CREATE TABLE t (id integer PRIMARY KEY, v text);"
       "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;");
  Psql(target,
       "CREATE TABLE t (id integer PRIMARY KEY, v text);"
       "INSERT INTO t VALUES (1, 'already here');");
  pg::Workspace ws;
  ws.Plan(source, target);
  RunResult refused = ws.Run("copy");
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("--if-exists"), std::string::npos) << refused.Describe();
  EXPECT_NE(refused.err.find(" t"), std::string::npos) << refused.Describe();
  EXPECT_EQ(Psql(target, "SELECT string_agg(id || ':' || v, ',') FROM t"), "1:already here")
      << "a refused copy changed the target";

  RunResult replaced = ws.Run("copy", {"--if-exists", "replace"});
  EXPECT_EQ(replaced.exit_code, 0) << replaced.Describe();
  EXPECT_EQ(PsqlInt(target, "SELECT count(*) FROM t"), 100);
  RunResult verify = ws.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();

  // A second copy of a finished one is refused the same way.
  RunResult twice = ws.Run("copy");
  EXPECT_EQ(twice.exit_code, 1) << twice.Describe();
  EXPECT_NE(twice.err.find("--if-exists"), std::string::npos) << twice.Describe();
  EXPECT_EQ(PsqlInt(target, "SELECT count(*) FROM t"), 100);
}

TEST(PgErrors, TargetSchemaAlreadyPresentWithAConflictingType) {
  // The target already has a type of the same name with other labels: the copy must not
  // carry on into it (rows would fail or land under the wrong labels).
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  Psql(source,
       "CREATE TYPE status AS ENUM ('new', 'paid');"
       "CREATE TABLE orders (id integer PRIMARY KEY, s status);"
       "INSERT INTO orders VALUES (1, 'new'), (2, 'paid');");
  Psql(target, "CREATE TYPE status AS ENUM ('open', 'closed');");
  pg::Workspace ws;
  ws.Plan(source, target);
  RunResult copy = ws.Run("copy");
  EXPECT_NE(copy.exit_code, 0) << copy.Describe();
  EXPECT_NE(copy.exit_code, 3) << "a conflicting target schema is no runtime failure\n"
                               << copy.Describe();
  EXPECT_NE(copy.err.find("status"), std::string::npos) << copy.Describe();
  EXPECT_EQ(RowsIfExists(target, "orders"), 0);
}

TEST(PgErrors, NulByteInSqliteTextIsRefusedNamingTableAndColumn) {
  pg::Workspace ws;
  std::string sqlite_path = ws.File("legacy.db");
  {
    Db db(sqlite_path);
    ASSERT_TRUE(
        db.Exec("CREATE TABLE fine (id INTEGER PRIMARY KEY, v TEXT);"
                "INSERT INTO fine VALUES (1, 'ok'), (2, 'also ok');"
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT);"));
    ASSERT_TRUE(db.Exec("BEGIN"));
    for (int i = 1; i <= 50; ++i)
      ASSERT_TRUE(db.Run("INSERT INTO notes VALUES (?1, ?2, ?3)",
                         {VInt(i), VText("title " + std::to_string(i)),
                          VText(i == 37 ? std::string("bad\0byte", 8) : "body")}));
    ASSERT_TRUE(db.Exec("COMMIT"));
  }
  std::string target = NewDb("dst");
  ws.Plan(SqliteUrl(sqlite_path), target);
  RunResult copy = ws.Run("copy");
  EXPECT_EQ(copy.exit_code, 1) << copy.Describe();
  EXPECT_NE(copy.err.find("notes"), std::string::npos) << copy.Describe();
  EXPECT_NE(copy.err.find("body"), std::string::npos) << copy.Describe();
  // Nothing of the refused table half-loaded.
  EXPECT_EQ(RowsIfExists(target, "notes"), 0);
}

TEST(PgErrors, TextInAnSqliteIntegerColumnIsReportedBeforeAndRefused) {
  pg::Workspace ws;
  std::string sqlite_path = ws.File("legacy.db");
  {
    Db db(sqlite_path);
    ASSERT_TRUE(
        db.Exec("CREATE TABLE qty (id INTEGER PRIMARY KEY, amount INTEGER);"
                "INSERT INTO qty VALUES (1, 10), (2, 'twelve'), (3, 30);"));
  }
  std::string target = NewDb("dst");
  ws.Plan(SqliteUrl(sqlite_path), target);
  // Inventory says so before any data moves.
  RunResult inv = ws.Run("inventory");
  EXPECT_EQ(inv.exit_code, 0) << inv.Describe();
  EXPECT_NE(inv.out.find("column 'amount' holds 1 value(s) not stored as its declared type"),
            std::string::npos)
      << inv.Describe();
  // A plain copy cannot put 'twelve' into a bigint: refused, naming table and column.
  RunResult copy = ws.Run("copy");
  EXPECT_EQ(copy.exit_code, 1) << copy.Describe();
  EXPECT_NE(copy.err.find("qty"), std::string::npos) << copy.Describe();
  EXPECT_NE(copy.err.find("amount"), std::string::npos) << copy.Describe();
  EXPECT_EQ(RowsIfExists(target, "qty"), 0);
}

TEST(PgErrors, DoubleNanIntoSqliteIsNotSilentlyLost) {
  // SQLite has no NaN (it stores NULL): the copy refuses the value, or carries it so that
  // verify still finds it equal; it never turns NaN into NULL and calls the copy equal.
  std::string source = NewDb("src");
  Psql(source,
       "CREATE TABLE measures (id integer PRIMARY KEY, ratio double precision);"
       "INSERT INTO measures VALUES (1, 1.5), (2, 'NaN'), (3, NULL);");
  pg::Workspace ws;
  std::string sqlite_path = ws.File("copy.db");
  ws.Plan(source, SqliteUrl(sqlite_path));
  RunResult copy = ws.Run("copy");
  if (copy.exit_code == 0) {
    Db db(sqlite_path);
    auto rows = db.Rows("SELECT ratio FROM measures WHERE id = 2");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_NE(rows[0][0].type, SQLITE_NULL) << "NaN became NULL and the copy succeeded";
    RunResult verify = ws.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  } else {
    EXPECT_EQ(copy.exit_code, 1) << copy.Describe();
    EXPECT_NE(copy.err.find("measures"), std::string::npos) << copy.Describe();
    EXPECT_NE(copy.err.find("ratio"), std::string::npos) << copy.Describe();
  }
}

TEST(PgErrors, NumericPastSqlitePrecisionIsNotRounded) {
  // numeric(30,10) does not fit a SQLite float: kept exactly (as text) or refused, never rounded.
  std::string source = NewDb("src");
  Psql(source,
       "CREATE TABLE money_t (id integer PRIMARY KEY, amount numeric(30,10));"
       "INSERT INTO money_t VALUES (1, 12345678901234567890.0123456789), (2, 0.1);");
  pg::Workspace ws;
  std::string sqlite_path = ws.File("copy.db");
  ws.Plan(source, SqliteUrl(sqlite_path));
  RunResult copy = ws.Run("copy");
  if (copy.exit_code == 0) {
    Db db(sqlite_path);
    EXPECT_EQ(db.Text("SELECT CAST(amount AS TEXT) FROM money_t WHERE id = 1"),
              "12345678901234567890.0123456789");
    RunResult verify = ws.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  } else {
    EXPECT_EQ(copy.exit_code, 1) << copy.Describe();
    EXPECT_NE(copy.err.find("amount"), std::string::npos) << copy.Describe();
  }
}

TEST(PgErrors, UnknownTableInTablesIsBadInput) {
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  Psql(source, "CREATE TABLE t (id integer PRIMARY KEY);");
  pg::Workspace ws;
  ws.Plan(source, target);
  RunResult r = ws.Run("copy", {"--tables", "no_such_table"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("no_such_table"), std::string::npos) << r.Describe();
}

TEST(PgErrors, MissingDatabaseIsNamed) {
  std::string target = NewDb("dst");
  std::string missing = pg::DbName("absent");
  test_servers::RunPsql(test_servers::PgAdminUrl(), "DROP DATABASE IF EXISTS \"" + missing + "\"");
  pg::Workspace ws;
  ws.Plan(test_servers::PgDatabaseUrl(missing), target);
  RunResult r = ws.Run("copy");
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace peerlock::scenario
