// `peerlock bench` with the real binary on SQLite: the plan's queries timed on both sides, a
// target no query can meet (0ms) missed with exit 1, a generous one met, and a query that
// returns other rows on the target flagged; without queries, sampled keys read on both sides.
// Timings themselves are never asserted.
#include <gtest/gtest.h>

#include <map>
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

// Without queries in the plan: point reads of keys sampled from the source, an integer key and
// a composite text key alike, each found on both sides; a key missing on the target is flagged.
TEST_F(Bench, WithoutQueriesSamplesKeysOfEveryKeyedTable) {
  for (const std::string& path : {source_, target_}) {
    Db db(path);
    ASSERT_TRUE(db.Exec(
        "CREATE TABLE codes (region TEXT, code TEXT, v INTEGER, PRIMARY KEY (region, code));"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
        " INSERT INTO codes SELECT 'r' || (i % 3), 'c ' || i || ' ünï', i FROM n;"
        "CREATE TABLE notes (body TEXT);"  // no key: nothing to sample
        "INSERT INTO notes VALUES ('a');"));
  }
  WriteFile(plan_, "source: {url: \"sqlite://" + source_ + "\"}\ntarget: {url: \"sqlite://" +
                       target_ + "\"}\n");
  RunResult run = RunPeerlock({"bench", "--plan", plan_, "--runs", "7", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json result = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(result.is_object()) << run.out;
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& q : result["queries"]) by_name[q["name"].get<std::string>()] = q;
  ASSERT_EQ(by_name.size(), 2u) << run.out;
  for (const char* name : {"codes by key (7)", "t by key (7)"}) {
    ASSERT_TRUE(by_name.count(name)) << run.out;
    EXPECT_EQ(by_name[name]["source_rows"], 7) << run.out;
    EXPECT_EQ(by_name[name]["target_rows"], 7) << run.out;
    EXPECT_TRUE(by_name[name]["met"].get<bool>()) << run.out;
  }

  {
    Db target(target_);
    ASSERT_TRUE(target.Exec("DELETE FROM codes"));
  }
  RunResult missing = RunPeerlock({"bench", "--plan", plan_, "--runs", "7"});
  EXPECT_EQ(missing.exit_code, 1) << missing.Describe();
  EXPECT_NE(missing.out.find("7 rows on the source, 0 on the target (the same keys)"),
            std::string::npos)
      << missing.out;
}

TEST_F(Bench, NeedsQueriesOrAKeyedTable) {
  for (const std::string& path : {source_, target_}) {
    Db db(path);
    ASSERT_TRUE(
        db.Exec("DROP TABLE t; CREATE TABLE notes (body TEXT); INSERT INTO notes "
                "VALUES ('a');"));
  }
  WriteFile(plan_, "source: {url: \"sqlite://" + source_ + "\"}\ntarget: {url: \"sqlite://" +
                       target_ + "\"}\n");
  RunResult run = RunPeerlock({"bench", "--plan", plan_});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("no table in scope has a primary key"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("objectives: {queries:"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace peerlock::scenario
