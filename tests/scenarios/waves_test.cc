// Waves end to end with the real binary on SQLite: wave two runs only after wave one's gate is
// approved; a table split between waves by row filter arrives whole; pause stops new waves;
// the checklist ticks "pilot successful" only once the pilot wave is approved.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

class Waves : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("legacy.db");
    target_ = dir_.File("new.db");
    {
      Db db(source_);
      ASSERT_TRUE(db.Exec(
          "CREATE TABLE regions (id INTEGER PRIMARY KEY, name TEXT);"
          "CREATE TABLE customers (id INTEGER PRIMARY KEY, region INTEGER REFERENCES regions(id),"
          " name TEXT);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3)"
          " INSERT INTO regions SELECT i, 'r' || i FROM n;"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)"
          " INSERT INTO customers SELECT i, 1 + i % 3, 'c' || i FROM n;"));
    }
    plan_ = dir_.File("peerlock.yaml");
    WriteFile(plan_, "source: {url: \"sqlite://" + source_ + "\"}\ntarget: {url: \"sqlite://" +
                         target_ +
                         "\"}\nwaves:\n"
                         "  - {name: pilot, tables: [regions, customers], where: \"id <= 20\", "
                         "approve: true}\n"
                         "  - {name: rest, tables: [customers], where: \"id > 20\"}\n");
  }
  RunResult Run(std::vector<std::string> args) {
    args.insert(args.end(), {"--plan", plan_});
    return RunPeerlock(args);
  }
  int64_t TargetRows(const std::string& table) {
    Db db(target_);
    auto rows = db.Query("SELECT count(*) FROM " + table);
    return rows.empty() || !rows[0][0] ? -1 : std::stoll(*rows[0][0]);
  }

  TempDir dir_;
  std::string source_, target_, plan_;
};

TEST_F(Waves, WaveTwoRunsOnlyAfterWaveOnesGateIsApproved) {
  RunResult early = Run({"migrate", "--wave", "rest"});
  EXPECT_EQ(early.exit_code, 1) << early.Describe();
  EXPECT_NE(early.err.find("wave rest waits for wave pilot (not run)"), std::string::npos)
      << early.err;
  EXPECT_FALSE(FileExists(target_));  // nothing moved

  RunResult pilot = Run({"migrate", "--wave", "pilot"});
  ASSERT_EQ(pilot.exit_code, 0) << pilot.Describe();
  EXPECT_NE(pilot.out.find("stopped at gate:pilot"), std::string::npos) << pilot.out;
  EXPECT_EQ(TargetRows("customers"), 20);

  // Copied and verified, but not approved: wave two still waits, and so does the pilot.
  RunResult blocked = Run({"migrate", "--wave", "rest"});
  EXPECT_EQ(blocked.exit_code, 1) << blocked.Describe();
  EXPECT_NE(blocked.err.find("awaiting-approval"), std::string::npos) << blocked.err;
  EXPECT_NE(blocked.err.find("peerlock approve gate:pilot"), std::string::npos) << blocked.err;
  RunResult status = Run({"status", "--json"});
  nlohmann::json checklist = nlohmann::json::parse(status.out, nullptr, false)["checklist"];
  bool pilot_seen = false;
  for (const auto& item : checklist) {
    if (item["id"] != "pilot_successful") continue;
    pilot_seen = true;
    EXPECT_EQ(item["done"], false) << "ticked without approval: " << item.dump();
    EXPECT_NE(item["evidence"].get<std::string>().find("awaiting-approval"), std::string::npos);
  }
  EXPECT_TRUE(pilot_seen) << status.Describe();
  RunResult typo = Run({"approve", "gate:pilt"});
  EXPECT_EQ(typo.exit_code, 2) << typo.Describe();
  EXPECT_NE(typo.err.find("did you mean 'gate:pilot'?"), std::string::npos) << typo.err;

  ASSERT_EQ(Run({"approve", "gate:pilot", "--by", "ops"}).exit_code, 0);
  ASSERT_EQ(Run({"pause"}).exit_code, 0);
  RunResult paused = Run({"migrate", "--wave", "pilot"});
  EXPECT_EQ(paused.exit_code, 1) << paused.Describe();
  EXPECT_NE(paused.err.find("paused"), std::string::npos) << paused.err;
  ASSERT_EQ(Run({"resume"}).exit_code, 0);

  RunResult finish = Run({"migrate", "--wave", "pilot"});
  ASSERT_EQ(finish.exit_code, 0) << finish.Describe();
  RunResult rest = Run({"migrate", "--wave", "rest"});
  ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
  // The row filters split customers between the waves; together they hold every row, and the
  // second wave's verify counted the first wave's rows as expected.
  EXPECT_EQ(TargetRows("customers"), 60);
  EXPECT_EQ(TargetRows("regions"), 3);
  EXPECT_NE(rest.out.find("40 rows copied, verify equal"), std::string::npos) << rest.out;

  status = Run({"status"});
  EXPECT_NE(status.out.find("[x] pilot successful"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("approved at gate:pilot"), std::string::npos) << status.out;
}

TEST_F(Waves, UnknownWaveNamesTheValidOnes) {
  RunResult run = Run({"migrate", "--wave", "pilto"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("its waves are pilot, rest"), std::string::npos) << run.err;
}

// A filtered wave that already ran is not copied a second time by a mistaken re-run (its rows
// would be on the target twice): refused, naming the rows to remove; after they are removed,
// --again copies it once more and the table is whole again.
TEST_F(Waves, AFilteredWaveThatRanIsNotCopiedTwice) {
  ASSERT_EQ(Run({"migrate", "--wave", "pilot"}).exit_code, 0);
  ASSERT_EQ(Run({"approve", "gate:pilot"}).exit_code, 0);
  ASSERT_EQ(Run({"migrate", "--wave", "pilot"}).exit_code, 0);
  ASSERT_EQ(Run({"migrate", "--wave", "rest"}).exit_code, 0);
  ASSERT_EQ(TargetRows("customers"), 60);

  RunResult again = Run({"migrate", "--wave", "rest"});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
  EXPECT_NE(again.err.find("wave rest already put its rows into customers (its latest run: "
                           "succeeded"),
            std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("DELETE FROM customers WHERE id > 20"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("peerlock migrate --wave rest --again"), std::string::npos) << again.err;
  EXPECT_EQ(TargetRows("customers"), 60);  // nothing copied

  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("DELETE FROM customers WHERE id > 20"));
  }
  RunResult redone = Run({"migrate", "--wave", "rest", "--again"});
  EXPECT_EQ(redone.exit_code, 0) << redone.Describe();
  EXPECT_EQ(TargetRows("customers"), 60);
  RunResult verify = Run({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

}  // namespace
}  // namespace peerlock::scenario
