// `peerlock bench` with the real binary on SQLite: the plan's queries timed on both sides, a
// target no query can meet (0ms) missed with exit 1, a generous one met, and a query that
// returns other rows on the target flagged. Timings themselves are never asserted.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

class Bench : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("legacy.db");
    target_ = dir_.File("new.db");
    for (const std::string& path : {source_, target_}) {
      Db db(path);
      ASSERT_TRUE(
          db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
                  " INSERT INTO t SELECT i, 'v' || i FROM n;"));
    }
    plan_ = dir_.File("peerlock.yaml");
  }
  RunResult BenchWith(const std::string& queries) {
    WriteFile(plan_, "source: {url: \"sqlite://" + source_ + "\"}\ntarget: {url: \"sqlite://" +
                         target_ + "\"}\nobjectives:\n  queries:\n" + queries);
    return RunPeerlock({"bench", "--plan", plan_, "--runs", "5", "--json"});
  }

  TempDir dir_;
  std::string source_, target_, plan_;
};

TEST_F(Bench, ChecksTheTargetAgainstThePlansLatencies) {
  RunResult met = BenchWith("    - {name: all, sql: \"SELECT * FROM t\", p95: 1h}\n");
  ASSERT_EQ(met.exit_code, 0) << met.Describe();
  nlohmann::json result = nlohmann::json::parse(met.out, nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << met.out;
  EXPECT_EQ(result["met"], true);
  EXPECT_EQ(result["queries"][0]["source_rows"], 500);
  EXPECT_EQ(result["queries"][0]["target_rows"], 500);
  EXPECT_LE(result["queries"][0]["target_p50"].get<double>(),
            result["queries"][0]["target_p95"].get<double>());

  RunResult missed = BenchWith("    - {name: all, sql: \"SELECT * FROM t\", p95: 0ms}\n");
  EXPECT_EQ(missed.exit_code, 1) << missed.Describe();
  EXPECT_NE(missed.out.find("over the target 0s"), std::string::npos) << missed.out;
}

TEST_F(Bench, FlagsAQueryThatReturnsOtherRowsOnTheTarget) {
  {
    Db target(target_);
    ASSERT_TRUE(target.Exec("DELETE FROM t WHERE id > 490"));
  }
  RunResult run = BenchWith("    - {name: all, sql: \"SELECT * FROM t\", p95: 1h}\n");
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("500 rows on the source, 490 on the target"), std::string::npos)
      << run.out;
}

TEST_F(Bench, NeedsQueriesInThePlan) {
  WriteFile(plan_, "source: {url: \"sqlite://" + source_ + "\"}\ntarget: {url: \"sqlite://" +
                       target_ + "\"}\n");
  RunResult run = RunPeerlock({"bench", "--plan", plan_});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("objectives: {queries:"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace peerlock::scenario
