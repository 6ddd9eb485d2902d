// The application of bench/cutover_bench.sh: THREADS sessions writing RATE transactions per
// second in total, each one autocommit statement that updates a random customer and inserts a
// row (writer, n) into cutover_acks, whose id the server assigns from the table's identity.
// Every answer is one line on stdout:
//   A <unix time> <writer> <n> <id> <server port>   the commit was acknowledged
//   E <unix time> <writer> <n> <sqlstate> <message>  it was not (or the connection failed)
// After any error the session is closed and the next attempt reconnects, reading the conninfo
// from ENDPOINT_FILE again: a DBA's switchover "points the client at the target" by rewriting
// that file, as it would rewrite a DNS name. The password comes from PGPASSWORD, never a file.
// Stops on SIGTERM or SIGINT.
//   cutover_writer ENDPOINT_FILE RATE THREADS CUSTOMERS > acks.log

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> stopping{false};
std::mutex out_mutex;

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string OneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

void Emit(const std::string& line) {
  std::lock_guard lock(out_mutex);
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);  // a killed run keeps every answer it printed
}

std::string ReadEndpoint(const std::string& path) {
  std::ifstream in(path);
  std::string conninfo;
  std::getline(in, conninfo);
  // Longer than the proxy's hold timeout: a held connection waits rather than fails.
  return conninfo + " connect_timeout=60 application_name=cutover_writer";
}

void Session(int writer, const std::string& endpoint, double rate, long customers) {
  using Clock = std::chrono::steady_clock;
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1 / rate));
  std::mt19937_64 random(writer * 7919 + 1);
  std::uniform_int_distribution<long> customer(1, customers);
  PGconn* conn = nullptr;
  auto next = Clock::now();
  for (long n = 1; !stopping.load(); ++n) {
    std::this_thread::sleep_until(next);
    next += period;
    // After a long wait (held by the proxy) go on at the rate instead of bursting to catch up.
    if (Clock::now() - next > std::chrono::seconds(1)) next = Clock::now();
    if (conn == nullptr) {
      conn = PQconnectdb(ReadEndpoint(endpoint).c_str());
      if (PQstatus(conn) != CONNECTION_OK) {
        Emit("E " + std::to_string(Now()) + " " + std::to_string(writer) + " " + std::to_string(n) +
             " connect " + OneLine(PQerrorMessage(conn)));
        PQfinish(conn);
        conn = nullptr;
        continue;
      }
    }
    const std::string w = std::to_string(writer), k = std::to_string(n),
                      c = std::to_string(customer(random));
    const char* params[] = {w.c_str(), k.c_str(), c.c_str()};
    PGresult* res = PQexecParams(
        conn,
        "WITH u AS (UPDATE customers SET balance = balance + 0.01 WHERE id = $3 RETURNING 1) "
        "INSERT INTO cutover_acks (writer, n, touched) SELECT $1, $2, count(*) FROM u "
        "RETURNING id, inet_server_port()",
        3, nullptr, params, nullptr, nullptr, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
      Emit("A " + std::to_string(Now()) + " " + w + " " + k + " " + PQgetvalue(res, 0, 0) + " " +
           PQgetvalue(res, 0, 1));
    } else {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      Emit("E " + std::to_string(Now()) + " " + w + " " + k + " " + (state ? state : "-----") +
           " " + OneLine(PQerrorMessage(conn)));
      PQfinish(conn);  // reconnect, to wherever the endpoint says now
      conn = nullptr;
    }
    PQclear(res);
  }
  PQfinish(conn);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: cutover_writer ENDPOINT_FILE RATE THREADS CUSTOMERS\n");
    return 2;
  }
  const std::string endpoint = argv[1];
  const double rate = std::atof(argv[2]);
  const int threads = std::atoi(argv[3]);
  const long customers = std::atol(argv[4]);
  if (rate <= 0 || threads <= 0 || customers <= 0) {
    std::fprintf(stderr, "cutover_writer: RATE, THREADS and CUSTOMERS must be positive\n");
    return 2;
  }
  std::signal(SIGTERM, [](int) { stopping.store(true); });
  std::signal(SIGINT, [](int) { stopping.store(true); });
  std::vector<std::thread> sessions;
  for (int i = 1; i <= threads; ++i)
    sessions.emplace_back(Session, i, endpoint, rate / threads, customers);
  for (auto& s : sessions) s.join();
  return 0;
}
