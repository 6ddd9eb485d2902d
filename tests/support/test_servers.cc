#include "support/test_servers.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace peerlock::test_servers {
namespace {

struct Server {
  std::string url;
  int port = 0;
  std::string password;
};

// What a DIR variable points at; `script` is how the server is started by hand.
struct ServerKind {
  const char* dir_env;
  const char* script;
  const char* name;
  const char* password_env;         // ours, for plans' password_env
  const char* client_password_env;  // the one the client libraries read
};

constexpr ServerKind kPg{"PEERLOCK_TEST_PG_DIR", "scripts/pg-cluster", "PostgreSQL",
                         "PEERLOCK_TEST_PG_PASSWORD", "PGPASSWORD"};
constexpr ServerKind kMariadb{"PEERLOCK_TEST_MARIADB_DIR", "scripts/mariadb-server", "MariaDB",
                              "PEERLOCK_TEST_MARIADB_PASSWORD", "MYSQL_PWD"};

[[noreturn]] void Fail(const std::string& message) {
  ADD_FAILURE() << message;
  throw TestServerUnavailable(message);
}

std::string HowToStart(const ServerKind& kind) {
  return fmt::format(
      "run the server tests through ctest in the build directory (`ctest -L server` starts the "
      "servers), or start one by hand: `{0} start /tmp/pl-test --fast` from the repository, then "
      "run the test with {1}=/tmp/pl-test (and `{0} stop /tmp/pl-test` afterwards)",
      kind.script, kind.dir_env);
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string ReadServerFile(const ServerKind& kind, const std::string& dir, const char* file) {
  std::ifstream in(dir + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  std::string value = Trim(text.str());
  if (!in || value.empty()) {
    Fail(fmt::format("{}={} holds no started {} server ({}/{} is missing or empty): {}",
                     kind.dir_env, dir, kind.name, dir, file, HowToStart(kind)));
  }
  return value;
}

Server LoadServer(const ServerKind& kind) {
  const char* dir = std::getenv(kind.dir_env);
  if (dir == nullptr || *dir == '\0') {
    Fail(fmt::format("{} is not set, so this test has no {} server: {}", kind.dir_env, kind.name,
                     HowToStart(kind)));
  }
  Server server{.url = ReadServerFile(kind, dir, "url"),
                .password = ReadServerFile(kind, dir, "password")};
  std::string port = ReadServerFile(kind, dir, "port");
  server.port = std::atoi(port.c_str());
  if (server.port <= 0) Fail(fmt::format("{}/port holds '{}', not a port number", dir, port));
  setenv(kind.password_env, server.password.c_str(), 1);
  setenv(kind.client_password_env, server.password.c_str(), 1);
  return server;
}

// Local statics: initialised once, under the compiler's lock; a throw leaves them to retry.
const Server& Pg() {
  static const Server server = LoadServer(kPg);
  return server;
}

const Server& Mariadb() {
  static const Server server = LoadServer(kMariadb);
  return server;
}

void CheckDatabaseName(const std::string& database) {
  bool ok = !database.empty() && database.size() <= 63;
  for (char c : database) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) {
    Fail(fmt::format("database name '{}': use 1 to 63 characters of [A-Za-z0-9_]", database));
  }
}

void ReadAvailable(int fd, std::string& into, bool& open) {
  char buffer[4096];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) {
    into.append(buffer, static_cast<size_t>(n));
  } else if (n == 0 || errno != EINTR) {
    open = false;
  }
}

}  // namespace

const std::string& PgAdminUrl() { return Pg().url; }
int PgPort() { return Pg().port; }
std::string PgPassword() { return Pg().password; }
std::string PgPasswordEnvName() {
  Pg();
  return kPg.password_env;
}
std::string PgDatabaseUrl(const std::string& database) {
  return fmt::format("postgresql://peerlock@127.0.0.1:{}/{}", PgPort(), database);
}

std::string CreatePgDatabase(const std::string& database) {
  CheckDatabaseName(database);
  // Two -c: DROP DATABASE may not share an implicit transaction with another statement.
  CommandResult result =
      RunCommand({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", PgAdminUrl(), "-c",
                  fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", database), "-c",
                  fmt::format("CREATE DATABASE \"{}\"", database)});
  if (result.exit_code != 0) {
    Fail(fmt::format("could not create PostgreSQL database {}: {}", database, result.Describe()));
  }
  return PgDatabaseUrl(database);
}

const std::string& MariadbAdminUrl() { return Mariadb().url; }
int MariadbPort() { return Mariadb().port; }
std::string MariadbPassword() { return Mariadb().password; }
std::string MariadbPasswordEnvName() {
  Mariadb();
  return kMariadb.password_env;
}
std::string MariadbDatabaseUrl(const std::string& database) {
  return fmt::format("mysql://peerlock@127.0.0.1:{}/{}", MariadbPort(), database);
}

std::string CreateMariadbDatabase(const std::string& database) {
  CheckDatabaseName(database);
  CommandResult result = RunMariadb(
      "mysql", fmt::format("DROP DATABASE IF EXISTS `{0}`; CREATE DATABASE `{0}` CHARACTER SET "
                           "utf8mb4",
                           database));
  if (result.exit_code != 0) {
    Fail(fmt::format("could not create MariaDB database {}: {}", database, result.Describe()));
  }
  return MariadbDatabaseUrl(database);
}

std::string TestDatabaseName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string raw = info == nullptr ? fmt::format("pid{}", getpid())
                                    : fmt::format("{}_{}", info->test_suite_name(), info->name());
  std::string name = "t_";
  for (char c : raw) {
    unsigned char u = static_cast<unsigned char>(c);
    name += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (name.size() > 63) {
    uint32_t hash = 2166136261u;  // FNV-1a: stable across runs and processes
    for (char c : raw) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    name = fmt::format("{}_{:08x}", name.substr(0, 54), hash);
  }
  return name;
}

std::string CommandResult::Describe() const {
  return fmt::format("exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}", exit_code, out, err);
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  CommandResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "RunCommand: no program given";
    return result;
  }
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) Fail(fmt::format("pipe: {}", std::strerror(errno)));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) Fail(fmt::format("pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int spawn_error = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.exit_code = 127;
    result.err = fmt::format("cannot run {}: {} (is it installed? scripts/install-deps)", argv[0],
                             std::strerror(spawn_error));
    return result;
  }
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[2] = {{.fd = out_open ? out_pipe[0] : -1, .events = POLLIN},
                     {.fd = err_open ? err_pipe[0] : -1, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) ReadAvailable(out_pipe[0], result.out, out_open);
    if (fds[1].revents != 0) ReadAvailable(err_pipe[0], result.err, err_open);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

CommandResult RunPsql(const std::string& url, const std::string& sql) {
  Pg();  // puts PGPASSWORD into the environment psql inherits
  // UTF8 whatever the locale says (psql's default follows LC_CTYPE).
  return RunCommand({"psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
                     "SET client_encoding TO 'UTF8'", "-c", sql});
}

CommandResult RunMariadb(const std::string& database, const std::string& sql) {
  return RunCommand({"mariadb", "--no-defaults", "--protocol=TCP", "-h", "127.0.0.1", "-P",
                     std::to_string(MariadbPort()), "-u", "peerlock",
                     "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "-D",
                     database, "-e", sql});
}

}  // namespace peerlock::test_servers
