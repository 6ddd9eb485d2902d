#pragma once
// The throwaway database servers of the tests: the PostgreSQL cluster and the MariaDB server
// that scripts/pg-cluster and scripts/mariadb-server started, found through the environment:
//
//   PEERLOCK_TEST_PG_DIR       the DIR of `scripts/pg-cluster start DIR`
//   PEERLOCK_TEST_MARIADB_DIR  the DIR of `scripts/mariadb-server start DIR`
//
// CTest starts both servers once per run (fixture `servers`) and sets both variables for every
// test registered with peerlock_server_tests() in CMakeLists.txt. When a variable is unset, or
// its DIR holds no started server, the functions below record a GoogleTest failure that says
// how to start the server and throw TestServerUnavailable, which ends the test (GoogleTest
// reports the exception too): a missing server fails the test, it is never skipped.
//
// The first call about a server puts its password into this process's environment, so that
// libpq, psql, mariadb, Connector/C and child processes (the peerlock binary) authenticate
// with URLs that carry no password:
//   PostgreSQL: PGPASSWORD and PEERLOCK_TEST_PG_PASSWORD (PgPasswordEnvName())
//   MariaDB:    MYSQL_PWD and PEERLOCK_TEST_MARIADB_PASSWORD (MariadbPasswordEnvName())
// A plan written by a test can say `password_env: PEERLOCK_TEST_PG_PASSWORD`.
//
// Tests run as separate processes, several at a time, against the same two servers: give each
// test databases of its own (TestDatabaseName()). Every function may be called from any
// thread; Run*, Create*Database block until the client process they start exits.

#include <stdexcept>
#include <string>
#include <vector>

namespace peerlock::test_servers {

// Thrown after the failure has been recorded, to end the test.
class TestServerUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- PostgreSQL 15 (superuser `peerlock`) ---

// postgresql://peerlock@127.0.0.1:PORT/postgres
const std::string& PgAdminUrl();
int PgPort();
std::string PgPassword();
// "PEERLOCK_TEST_PG_PASSWORD", set to PgPassword() in this process's environment.
std::string PgPasswordEnvName();
// postgresql://peerlock@127.0.0.1:PORT/<database>
std::string PgDatabaseUrl(const std::string& database);
// Drops `database` if it exists (closing its connections), creates it empty (UTF8, C.UTF-8)
// and returns PgDatabaseUrl(database). `database`: [A-Za-z0-9_], at most 63 characters.
std::string CreatePgDatabase(const std::string& database);

// --- MariaDB 10.11 (user `peerlock`, ALL PRIVILEGES WITH GRANT OPTION, binlog in ROW format) ---

// mysql://peerlock@127.0.0.1:PORT/mysql
const std::string& MariadbAdminUrl();
int MariadbPort();
std::string MariadbPassword();
// "PEERLOCK_TEST_MARIADB_PASSWORD", set to MariadbPassword() in this process's environment.
std::string MariadbPasswordEnvName();
// mysql://peerlock@127.0.0.1:PORT/<database>
std::string MariadbDatabaseUrl(const std::string& database);
// Drops `database` if it exists, creates it empty (utf8mb4) and returns
// MariadbDatabaseUrl(database). `database`: [A-Za-z0-9_], at most 63 characters.
std::string CreateMariadbDatabase(const std::string& database);

// --- Helpers ---

// A name for the current test's database: "t_" + suite + "_" + test, lowercased, every other
// character than [a-z0-9_] replaced by '_', shortened with a hash suffix to 63 characters.
std::string TestDatabaseName();

struct CommandResult {
  int exit_code = 0;  // the exit status; 127 when the program could not be run; -N on signal N
  std::string out;    // everything written to stdout
  std::string err;    // everything written to stderr

  // "exit 1\n--- stdout ---\n...\n--- stderr ---\n..." for assertion messages.
  std::string Describe() const;
};

// Runs argv[0] (looked up in PATH) with this process's environment and stdin from /dev/null.
CommandResult RunCommand(const std::vector<std::string>& argv);

// psql -X -q -At -v ON_ERROR_STOP=1 -d <url> -c <sql> with client_encoding UTF8: one row per
// line, columns joined by '|'.
CommandResult RunPsql(const std::string& url, const std::string& sql);

// mariadb --batch --skip-column-names as peerlock over TCP into `database`, connection character
// set utf8mb4, -e <sql>: one row per line, columns joined by tabs (--batch escapes tabs,
// newlines and backslashes in values as \t, \n, \\; NULL prints as NULL).
CommandResult RunMariadb(const std::string& database, const std::string& sql);

}  // namespace peerlock::test_servers
