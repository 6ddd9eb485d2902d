// `peerlock proxy` as users run it: the real binary in the foreground with a plan whose source
// is the throwaway PostgreSQL server, operated with --status, --hold, --switch and --release,
// stopped by SIGTERM; psql connects through it.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "scenarios/background_process.h"
#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario {
namespace {

using namespace std::chrono_literals;
namespace ts = test_servers;

// A plan whose source is the test PostgreSQL: the proxy forwards there unless told otherwise.
std::string WritePlan(const TempDir& dir, const std::string& proxy_section) {
  std::string plan = dir.File("peerlock.yaml");
  WriteFile(plan, "source:\n  url: " + ts::PgDatabaseUrl("postgres") +
                      "\n  password_env: " + ts::PgPasswordEnvName() +
                      "\ntarget:\n  url: sqlite://" + dir.File("new.db") + "\n" + proxy_section);
  return plan;
}

// The port in "proxy listening on 127.0.0.1:PORT, ..."; 0 until the line is there.
int ListenPort(const BackgroundProcess& proxy) {
  std::smatch match;
  std::string log = proxy.Log();
  if (!std::regex_search(log, match, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)"))) return 0;
  return std::stoi(match[1]);
}

nlohmann::json StatusJson(const std::string& plan) {
  RunResult status = RunPeerlock({"proxy", "--plan", plan, "--status", "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  return nlohmann::json::parse(status.out, nullptr, false);
}

TEST(PgProxy, ForwardsToThePlanSourceIsOperatedByFlagsAndStopsOnSigterm) {
  TempDir dir;
  std::string plan = WritePlan(dir, "proxy:\n  listen: 127.0.0.1:0\n  hold_timeout: 30s\n");
  BackgroundProcess proxy({PEERLOCK_BINARY, "proxy", "--plan", plan}, dir.File("proxy.log"));
  WaitUntil([&] { return ListenPort(proxy) != 0 || !proxy.running(); }, 20s);
  int port = ListenPort(proxy);
  ASSERT_NE(port, 0) << proxy.Log();
  std::string through = "postgresql://peerlock@127.0.0.1:" + std::to_string(port) + "/postgres";

  ts::CommandResult query = ts::RunPsql(through, "SELECT current_setting('port')");
  ASSERT_EQ(query.exit_code, 0) << query.Describe();
  EXPECT_EQ(query.out, std::to_string(ts::PgPort()) + "\n");
  nlohmann::json status = StatusJson(plan);
  EXPECT_EQ(status["state"], "forwarding");
  EXPECT_EQ(status["backend"], "127.0.0.1:" + std::to_string(ts::PgPort()));
  EXPECT_EQ(status["connections"]["accepted"], 1);

  RunResult hold = RunPeerlock({"proxy", "--plan", plan, "--hold"});
  EXPECT_EQ(hold.exit_code, 0) << hold.Describe();
  EXPECT_NE(hold.out.find("holding"), std::string::npos) << hold.out;
  // A switch to the same server keeps the test to one cluster; the counter shows it happened.
  RunResult switched = RunPeerlock(
      {"proxy", "--plan", plan, "--switch", "127.0.0.1:" + std::to_string(ts::PgPort())});
  EXPECT_EQ(switched.exit_code, 0) << switched.Describe();
  EXPECT_EQ(RunPeerlock({"proxy", "--plan", plan, "--release"}).exit_code, 0);
  status = StatusJson(plan);
  EXPECT_EQ(status["state"], "forwarding");
  EXPECT_EQ(status["switches"], 1);
  EXPECT_EQ(ts::RunPsql(through, "SELECT 1").out, "1\n");

  proxy.Signal(SIGTERM);
  std::optional<int> exit = proxy.Wait(20s);
  ASSERT_TRUE(exit.has_value()) << "the proxy did not stop on SIGTERM\n" << proxy.Log();
  EXPECT_EQ(*exit, 0) << proxy.Log();
  nlohmann::json last = nlohmann::json::parse(ReadFile(dir.File(".peerlock/proxy.json")));
  EXPECT_EQ(last["stopped"], true);
  EXPECT_EQ(last["connections"]["accepted"], 2);
  EXPECT_FALSE(FileExists(dir.File(".peerlock/proxy.sock")));
  RunResult gone = RunPeerlock({"proxy", "--plan", plan, "--status"});
  EXPECT_EQ(gone.exit_code, 3) << gone.Describe();
  EXPECT_NE(gone.err.find("is `peerlock proxy` running"), std::string::npos) << gone.err;
}

TEST(PgProxy, BadSettingsExitTwoWithAHint) {
  TempDir dir;
  RunResult no_listen = RunPeerlock({"proxy", "--plan", WritePlan(dir, "")});
  EXPECT_EQ(no_listen.exit_code, 2) << no_listen.Describe();
  EXPECT_NE(no_listen.err.find("--listen HOST:PORT or proxy.listen"), std::string::npos)
      << no_listen.err;
  RunResult bad_flag = RunPeerlock({"proxy", "--listen", "6432", "--backend", "db:5432"});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.Describe();
  EXPECT_NE(bad_flag.err.find("--listen is '6432'"), std::string::npos) << bad_flag.err;
  RunResult no_backend = RunPeerlock({"proxy", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(no_backend.exit_code, 2) << no_backend.Describe();
  EXPECT_NE(no_backend.err.find("--backend HOST:PORT"), std::string::npos) << no_backend.err;
  RunResult two = RunPeerlock({"proxy", "--status", "--hold"});
  EXPECT_EQ(two.exit_code, 2) << two.Describe();
}

}  // namespace
}  // namespace peerlock::scenario
