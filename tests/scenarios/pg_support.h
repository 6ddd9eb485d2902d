#pragma once
// Support for the PostgreSQL scenarios (header-only: the server scenario binary compiles
// tests/scenarios/pg_*_test.cc): databases of the current test on the throwaway server
// (tests/support/test_servers.h), psql helpers that must succeed, exact row text, plan files
// for postgresql:// and sqlite:// endpoints.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "scenarios/background_process.h"
#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario::pg {

namespace ts = peerlock::test_servers;

// TestDatabaseName() + "_" + suffix, kept within PostgreSQL's 63 characters (a hash of the
// full name replaces the tail when it is too long), so each test owns its databases.
inline std::string DbName(const std::string& suffix) {
  std::string base = ts::TestDatabaseName();
  std::string name = base + "_" + suffix;
  if (name.size() <= 63) return name;
  uint32_t hash = 2166136261u;  // FNV-1a of the full name: distinct per test and suffix
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  std::string tail = fmt::format("_{:08x}_{}", hash, suffix);
  return base.substr(0, 63 - tail.size()) + tail;
}

// A fresh, empty database for the current test (DbName(suffix)); returns its URL.
inline std::string NewDb(const std::string& suffix) { return ts::CreatePgDatabase(DbName(suffix)); }

// Runs `sql` with psql (test_servers::RunPsql); a failure fails the test. Returns stdout with
// the final newline removed.
inline std::string Psql(const std::string& url, const std::string& sql) {
  ts::CommandResult r = ts::RunPsql(url, sql);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "psql failed on " << url << ":\n" << sql << "\n" << r.Describe();
    return "";
  }
  std::string out = r.out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The first column of the first row of `sql`, as an integer (-1 and a failure otherwise).
inline int64_t PsqlInt(const std::string& url, const std::string& sql) {
  std::string out = Psql(url, sql);
  char* end = nullptr;
  long long v = std::strtoll(out.c_str(), &end, 10);
  if (out.empty() || end == out.c_str() || (*end != '\0' && *end != '\n')) {
    ADD_FAILURE() << "not an integer from `" << sql << "`: '" << out << "'";
    return -1;
  }
  return v;
}

// Every row of `select`, a query whose one column is text (NULL -> "<NULL>"), transported as
// hex so newlines, tabs, backslashes and '|' inside values arrive byte for byte. Runs with a
// fixed output style (UTC, ISO dates, postgres intervals, shortest floats, hex bytea), so both
// sides print alike whatever their databases' defaults.
inline std::vector<std::string> PsqlTexts(const std::string& url, const std::string& select) {
  // A plain scan of the subquery keeps its ORDER BY. 'x' + hex never makes an empty line.
  std::string sql =
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
      "SET extra_float_digits = 1; SET bytea_output = 'hex'; "
      "SELECT coalesce('x' || encode(convert_to(x, 'UTF8'), 'hex'), 'N') FROM (" +
      select + ") q(x)";
  std::vector<std::string> rows;
  for (const std::string& line : Lines(Psql(url, sql))) {
    if (line == "N") {
      rows.push_back("<NULL>");
      continue;
    }
    std::string bytes;
    for (size_t i = 1; i + 1 < line.size(); i += 2)
      bytes += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
    rows.push_back(std::move(bytes));
  }
  return rows;
}

// Runs a text query on both sides and compares the rows exactly. Returns "" when equal, else
// the row count difference or the first differing row of each side.
inline std::string CompareTexts(const std::string& source_url, const std::string& target_url,
                                const std::string& source_select,
                                const std::string& target_select) {
  std::vector<std::string> src = PsqlTexts(source_url, source_select);
  std::vector<std::string> tgt = PsqlTexts(target_url, target_select);
  for (size_t i = 0; i < std::min(src.size(), tgt.size()); ++i)
    if (src[i] != tgt[i])
      return fmt::format("row {} differs:\n  source: {}\n  target: {}", i + 1, src[i], tgt[i]);
  if (src.size() != tgt.size())
    return fmt::format("source has {} rows, target {}", src.size(), tgt.size());
  if (src.empty()) return "no rows on either side (the query selects nothing)";
  return "";
}

// `SELECT t::text FROM <table> t ORDER BY <order_by>` on both sides, compared exactly.
inline std::string CompareRowText(const std::string& source_url, const std::string& target_url,
                                  const std::string& table, const std::string& order_by) {
  std::string select = "SELECT t::text FROM " + table + " t ORDER BY " + order_by;
  return CompareTexts(source_url, target_url, select, select);
}

// A plan endpoint as a YAML flow mapping: postgresql:// URLs get
// password_env: PEERLOCK_TEST_PG_PASSWORD, mysql:// URLs PEERLOCK_TEST_MARIADB_PASSWORD, others
// (sqlite://) only the url.
inline std::string EndpointYaml(const std::string& url) {
  std::string quoted = "\"" + url + "\"";
  if (url.rfind("postgres", 0) == 0)
    return "{url: " + quoted + ", password_env: " + ts::PgPasswordEnvName() + "}";
  if (url.rfind("mysql", 0) == 0 || url.rfind("mariadb", 0) == 0)
    return "{url: " + quoted + ", password_env: " + ts::MariadbPasswordEnvName() + "}";
  return "{url: " + quoted + "}";
}

// Writes a plan from `source_url` to `target_url`; `extra` (YAML sections) is appended.
inline void WriteUrlPlan(const std::string& path, const std::string& source_url,
                         const std::string& target_url, const std::string& extra = "") {
  WriteFile(path, "source: " + EndpointYaml(source_url) + "\ntarget: " + EndpointYaml(target_url) +
                      "\n" + extra);
}

// A per-test workspace: a temporary directory with a plan and a state directory, and the
// peerlock commands run against them.
class Workspace {
 public:
  Workspace() : plan_(dir_.File("plan.yaml")), state_(dir_.File("state")) {}

  void Plan(const std::string& source_url, const std::string& target_url,
            const std::string& extra = "") {
    WriteUrlPlan(plan_, source_url, target_url, extra);
  }
  // peerlock <command> --plan plan.yaml --state state <extra...>
  RunResult Run(const std::string& command, const std::vector<std::string>& extra = {},
                const EnvList& env = {}) const {
    std::vector<std::string> args = {command, "--plan", plan_, "--state", state_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPeerlock(args, env);
  }

  // Whether the sync of this plan says it is streaming (past its copy).
  bool Streaming() const {
    return Run("sync", {"--status", "--json"}).out.find("\"phase\": \"streaming\"") !=
           std::string::npos;
  }

  const std::string& plan() const { return plan_; }
  const std::string& state() const { return state_; }
  std::string File(const std::string& name) const { return dir_.File(name); }

 private:
  TempDir dir_;
  std::string plan_, state_;
};

// The end of a source-restart test: `sync` kept running through the restart (its log says it
// retried), stops cleanly on SIGTERM, and `peerlock verify` then finds both sides equal.
inline void ExpectSurvivedTheRestart(BackgroundProcess& sync, const Workspace& ws) {
  ASSERT_TRUE(sync.running()) << sync.Log();
  EXPECT_NE(sync.Log().find("retrying in"), std::string::npos) << sync.Log();
  sync.Signal(SIGTERM);
  ASSERT_EQ(sync.Wait(std::chrono::seconds(60)), 0) << sync.Log();
  RunResult verify = ws.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
}

// The hex of `bytes` ("00ff..."), lowercase.
inline std::string Hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

}  // namespace peerlock::scenario::pg
