#pragma once
// Support for the cutover scenarios (pg_cutover_test.cc, mariadb_cutover_test.cc), header-only:
//
//   AckedWriter      an application inserting rows one autocommit statement at a time on a
//                    thread of the test, reconnecting and retrying after any error, and
//                    recording every row whose commit the server acknowledged (and which server
//                    did). What the cutover must never lose.
//   PgClient         the application's PostgreSQL connection (libpq), e.g. through the proxy.
//   MariadbClient    the application's MariaDB connection (Connector/C).
//   SecondPgCluster  a throwaway PostgreSQL cluster of the test's own (scripts/pg-cluster), the
//                    target behind the proxy: the proxy switches between host:port pairs, so
//                    the target must listen on another port than the source.
//   MissingAcks      which acknowledged rows a database lacks.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario {

// One row the application saw committed: its key, its payload and the database that said so.
struct Ack {
  int64_t id = 0;
  std::string payload;
  std::string where;
};

// What one insert attempt came to.
struct Attempt {
  bool acked = false;
  int64_t id = 0;     // the row's key when acked
  std::string where;  // which database acknowledged it
  std::string error;  // why not, otherwise
  bool duplicate_key = false;
};

// The application's connection to one database. Insert runs on the writer's thread only.
class WriterClient {
 public:
  virtual ~WriterClient() = default;
  // Inserts row `n` (key n when the client chooses keys) with `payload` as one autocommit
  // statement, (re)connecting first when needed.
  virtual Attempt Insert(int64_t n, const std::string& payload) = 0;
};

class AckedWriter {
 public:
  // Starts inserting at once, attempts numbered from `first`; payloads are "<tag>-<n>".
  AckedWriter(std::string tag, std::unique_ptr<WriterClient> client, int64_t first = 1)
      : tag_(std::move(tag)), client_(std::move(client)), first_(first) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~AckedWriter() { Stop(); }
  AckedWriter(const AckedWriter&) = delete;
  AckedWriter& operator=(const AckedWriter&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  // Rows acknowledged by `where` so far.
  size_t Acked(const std::string& where) const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const Ack& a : acks_) n += a.where == where;
    return n;
  }
  std::vector<Ack> acks() const {
    std::lock_guard lock(mu_);
    return acks_;
  }
  int duplicate_keys() const { return duplicate_keys_.load(); }
  // The number of failed attempts and the last few errors, for assertion messages.
  std::string Errors() const {
    std::lock_guard lock(mu_);
    std::string out =
        fmt::format("{} acked, {} failed attempts; last errors:\n", acks_.size(), failures_);
    for (const std::string& e : last_errors_) out += "  " + e + "\n";
    return out;
  }

 private:
  void Loop() {
    for (int64_t n = first_; !stop_.load(); ++n) {
      const std::string payload = fmt::format("{}-{}", tag_, n);
      Attempt a = client_->Insert(n, payload);
      {
        std::lock_guard lock(mu_);
        if (a.acked) {
          acks_.push_back({a.id, payload, a.where});
          continue;
        }
        ++failures_;
        if (a.duplicate_key) duplicate_keys_.fetch_add(1);
        last_errors_.push_back(a.error);
        if (last_errors_.size() > 5) last_errors_.erase(last_errors_.begin());
      }
      // Pacing of the retries of a client facing a frozen database, not a synchronisation.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  std::string tag_;
  std::unique_ptr<WriterClient> client_;
  int64_t first_;
  std::atomic<bool> stop_{false};
  std::atomic<int> duplicate_keys_{0};
  mutable std::mutex mu_;
  std::vector<Ack> acks_;
  int64_t failures_ = 0;
  std::vector<std::string> last_errors_;
  std::thread thread_;
};

// libpq into table `items (id, payload)`. With `server_ids` the database assigns keys (its
// identity sequence); otherwise the writer's n is the key. `where` of an ack: the label of the
// acknowledging server's port in `labels`, else the port.
class PgClient : public WriterClient {
 public:
  PgClient(std::string conninfo, bool server_ids, std::map<std::string, std::string> labels = {})
      : conninfo_(std::move(conninfo)), server_ids_(server_ids), labels_(std::move(labels)) {}
  ~PgClient() override {
    if (conn_) PQfinish(conn_);
  }

  Attempt Insert(int64_t n, const std::string& payload) override {
    Attempt out;
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      if (conn_) PQfinish(conn_);
      conn_ = PQconnectdb(conninfo_.c_str());
      // Sessions ended by a freeze say so as a notice; the failed attempt records it.
      PQsetNoticeProcessor(
          conn_, [](void*, const char*) {}, nullptr);
      if (PQstatus(conn_) != CONNECTION_OK) {
        out.error = std::string("connect: ") + PQerrorMessage(conn_);
        return out;
      }
    }
    const std::string key = std::to_string(n);
    const char* server_values[] = {payload.c_str()};
    const char* own_values[] = {key.c_str(), payload.c_str()};
    PGresult* r = server_ids_ ? PQexecParams(conn_,
                                             "INSERT INTO items (payload) VALUES ($1) "
                                             "RETURNING id, current_setting('port')",
                                             1, nullptr, server_values, nullptr, nullptr, 0)
                              : PQexecParams(conn_,
                                             "INSERT INTO items (id, payload) VALUES ($1, $2) "
                                             "RETURNING id, current_setting('port')",
                                             2, nullptr, own_values, nullptr, nullptr, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      out.acked = true;
      out.id = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
      std::string port = PQgetvalue(r, 0, 1);
      out.where = labels_.count(port) ? labels_[port] : port;
    } else {
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      out.duplicate_key = state && std::string(state) == "23505";
      out.error = std::string("insert: ") + PQerrorMessage(conn_);
    }
    PQclear(r);
    return out;
  }

 private:
  std::string conninfo_;
  bool server_ids_;
  std::map<std::string, std::string> labels_;
  PGconn* conn_ = nullptr;
};

// Connector/C into table `items (id, payload)` of `database`, as `user`; the writer's n is the
// key. Acks are labelled `where`.
class MariadbClient : public WriterClient {
 public:
  MariadbClient(std::string user, std::string password, std::string database, std::string where)
      : user_(std::move(user)),
        password_(std::move(password)),
        database_(std::move(database)),
        where_(std::move(where)) {}
  ~MariadbClient() override { Close(); }

  Attempt Insert(int64_t n, const std::string& payload) override {
    Attempt out;
    if (!conn_ && !Connect(out.error)) return out;
    const std::string sql =
        fmt::format("INSERT INTO items (id, payload) VALUES ({}, '{}')", n, payload);
    if (mysql_query(conn_, sql.c_str()) == 0) {
      out.acked = true;
      out.id = n;
      out.where = where_;
      return out;
    }
    const unsigned err = mysql_errno(conn_);
    out.duplicate_key = err == 1062;  // ER_DUP_ENTRY
    out.error = fmt::format("insert: {} ({})", mysql_error(conn_), err);
    if (err >= 2000) Close();  // a client error (2006 gone, 2013 lost): reconnect
    return out;
  }

 private:
  bool Connect(std::string& error) {
    conn_ = mysql_init(nullptr);
    unsigned timeout = 10;
    mysql_options(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(conn_, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_options(conn_, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    if (!mysql_real_connect(conn_, "127.0.0.1", user_.c_str(), password_.c_str(), database_.c_str(),
                            static_cast<unsigned>(test_servers::MariadbPort()), nullptr, 0)) {
      error = std::string("connect: ") + mysql_error(conn_);
      Close();
      return false;
    }
    return true;
  }
  void Close() {
    if (conn_) mysql_close(conn_);
    conn_ = nullptr;
  }

  std::string user_, password_, database_, where_;
  MYSQL* conn_ = nullptr;
};

// The conninfo of the application's PostgreSQL connection as the test superuser (its freeze
// does not exempt superusers; only PeerLock's application_name is exempt).
inline std::string PgConninfo(int port, const std::string& database) {
  return fmt::format(
      "host=127.0.0.1 port={} dbname={} user=peerlock password={} sslmode=disable "
      "connect_timeout=40 application_name=app",
      port, database, test_servers::PgPassword());
}

// A cutover killed with kill -9 right after `step` ran (before its completion was recorded), then
// `peerlock <rerun>` ("cutover" or "rollback") again: the kill matrices of pg_cutover_test and
// mariadb_cutover_test.
struct Crash {
  std::string step;
  std::string rerun;
};

// Checks what every re-run after a crash must end in (`status`: `peerlock cutover --status
// --json`), prints it, and returns the side the traffic runs on ("" after a failed check):
// done or aborted, a rollback always back on the source.
inline std::string CheckCrashOutcome(const Crash& crash, const std::string& acked_between,
                                     const nlohmann::json& status) {
  const std::string active = status.value("active", "");
  std::cout << "killed after " << crash.step
            << (acked_between.empty() ? "" : ", a write acked by the " + acked_between)
            << "; `peerlock " << crash.rerun << "` ended " << status.value("kind", "") << " "
            << status.value("status", "") << ", traffic on the " << active << "\n";
  EXPECT_TRUE(status.value("status", "") == "done" || status.value("status", "") == "aborted")
      << status.dump();
  if (crash.rerun == "rollback") {
    EXPECT_EQ(active, "source") << status.dump();
  }
  EXPECT_TRUE(active == "source" || active == "target") << status.dump();
  return active == "source" || active == "target" ? active : "";
}

class SecondPgCluster {
 public:
  SecondPgCluster() {
    static std::atomic<int> next{0};
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("peerlock-cutover-pgb-{}-{}", ::getpid(), next++);
    auto started = test_servers::RunCommand(
        {std::string(PEERLOCK_SOURCE_DIR) + "/scripts/pg-cluster", "start", dir_.string(), "--fast",
         "--owner-pid", std::to_string(::getpid())});
    if (started.exit_code != 0) {
      ADD_FAILURE() << "second cluster: " << started.Describe();
      throw std::runtime_error("second cluster did not start");
    }
    port_ = std::stoi(ReadFile((dir_ / "port").string()));
    std::string password = ReadFile((dir_ / "password").string());
    while (!password.empty() && password.back() == '\n') password.pop_back();
    // The first cluster's password, so that one password_env serves both plan endpoints. Over
    // libpq: no password on a command line.
    PGconn* admin =
        PQconnectdb(fmt::format("host=127.0.0.1 port={} dbname=postgres user=peerlock password={}",
                                port_, password)
                        .c_str());
    PGresult* r = PQexec(
        admin, ("ALTER ROLE peerlock PASSWORD '" + test_servers::PgPassword() + "'").c_str());
    const bool same = PQresultStatus(r) == PGRES_COMMAND_OK;
    const std::string error = PQerrorMessage(admin);
    PQclear(r);
    PQfinish(admin);
    if (!same) {
      ADD_FAILURE() << "second cluster: " << error;
      throw std::runtime_error("second cluster: no login");
    }
  }
  ~SecondPgCluster() {
    test_servers::RunCommand(
        {std::string(PEERLOCK_SOURCE_DIR) + "/scripts/pg-cluster", "stop", dir_.string()});
  }
  SecondPgCluster(const SecondPgCluster&) = delete;
  SecondPgCluster& operator=(const SecondPgCluster&) = delete;

  int port() const { return port_; }
  // Restarts the server in place (same port, same data), as an upgrade or a crash would.
  void Restart() const {
    auto r = test_servers::RunCommand(
        {std::string(PEERLOCK_SOURCE_DIR) + "/scripts/pg-cluster", "restart", dir_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
  }
  std::string Url(const std::string& database) const {
    return fmt::format("postgresql://peerlock@127.0.0.1:{}/{}", port_, database);
  }
  // Creates `database` (empty, UTF8) and returns Url(database).
  std::string CreateDatabase(const std::string& database) const {
    auto r = test_servers::RunPsql(
        Url("postgres"), "CREATE DATABASE " + database + " ENCODING 'UTF8' TEMPLATE template0");
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Url(database);
  }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
};

// The acknowledged rows that `rows` (key -> payload, as read from a database) lacks or holds
// with another payload: "" when none, else the count and the first few.
inline std::string MissingAcks(const std::vector<Ack>& acks,
                               const std::map<int64_t, std::string>& rows) {
  std::vector<std::string> missing;
  for (const Ack& a : acks) {
    auto it = rows.find(a.id);
    if (it == rows.end() || it->second != a.payload)
      missing.push_back(fmt::format("{} '{}' (acked by {}){}", a.id, a.payload, a.where,
                                    it == rows.end() ? "" : " holds '" + it->second + "'"));
  }
  if (missing.empty()) return "";
  std::string out = fmt::format("{} of {} acknowledged rows missing:", missing.size(), acks.size());
  for (size_t i = 0; i < missing.size() && i < 5; ++i) out += "\n  " + missing[i];
  return out;
}

// "id<sep>payload" lines into key -> payload.
inline std::map<int64_t, std::string> ParseRows(const std::string& text, char sep) {
  std::map<int64_t, std::string> rows;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    size_t at = line.find(sep);
    if (at != std::string::npos) rows[std::stoll(line.substr(0, at))] = line.substr(at + 1);
    start = end + 1;
  }
  return rows;
}

}  // namespace peerlock::scenario
