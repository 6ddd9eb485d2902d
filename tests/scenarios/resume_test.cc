// Resume: a copy killed (SIGKILL, by PEERLOCK_FAULT) mid-transaction or between a chunk's
// commit and its record in the state store resumes to a target holding every source row exactly
// once, with the bookkeeping gone and verify equal.

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

// 60 + 5 + 6 chunks of exactly 1000 rows each with chunk_rows 1000.
constexpr int64_t kEventRows = 60000;
constexpr int64_t kLogRows = 5000;
constexpr int64_t kPairRows = 6000;
constexpr int64_t kTotalRows = kEventRows + kLogRows + kPairRows;

class Resume : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("source.db");
    target_ = dir_.File("target.db");
    plan_ = dir_.File("plan.yaml");
    state_ = dir_.File("state");
    Db db(source_);
    ASSERT_TRUE(db.Exec(R"sql(
      BEGIN;
      CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, n INTEGER, payload BLOB);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 60000)
      INSERT INTO events
      SELECT x * 3 - 1000, 'kind ' || (x % 11), CASE WHEN x % 7 THEN x * x END,
             CAST(printf('p%d', x) AS BLOB)
      FROM k;
      -- No key, many identical rows: a chunk loaded twice would show up as extra copies.
      CREATE TABLE logs (level INTEGER, message TEXT);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 5000)
      INSERT INTO logs SELECT x % 5, CASE WHEN x % 13 THEN 'msg ' || (x % 40) END FROM k;
      CREATE TABLE pairs (region TEXT NOT NULL, seq INTEGER NOT NULL, v TEXT,
                          PRIMARY KEY (region, seq));
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 2000),
           r(name) AS (VALUES ('eu'), ('us'), ('ünï'))
      INSERT INTO pairs SELECT name, x, name || ':' || x FROM r, k;
      COMMIT;
    )sql"));
    WritePlan(plan_, source_, target_, "copy:\n  chunk_rows: 1000\n");
  }

  RunResult Copy(const std::vector<std::string>& extra = {}, const EnvList& env = {}) {
    std::vector<std::string> args = {"copy", "--plan", plan_, "--state", state_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPeerlock(args, env);
  }

  static EnvList Fault(const std::string& point, int64_t n) {
    return {{"PEERLOCK_FAULT", point + ":" + std::to_string(n)}};
  }

  // Rows of `table` in the target, 0 when it does not exist (yet).
  int64_t TargetRows(const std::string& table) {
    Db db(target_);
    if (db.Int("SELECT count(*) FROM sqlite_schema WHERE name = " + QuoteLiteral(table)) == 0)
      return 0;
    return db.Int("SELECT count(*) FROM " + QuoteId(table));
  }
  int64_t TargetRowsTotal() {
    return TargetRows("events") + TargetRows("logs") + TargetRows("pairs");
  }
  int64_t Markers() { return TargetRows("_peerlock_chunks"); }

  // The whole source, exactly once, and nothing else.
  void ExpectCompleteCopy() {
    EXPECT_EQ(TargetRows("events"), kEventRows);
    EXPECT_EQ(TargetRows("logs"), kLogRows);
    EXPECT_EQ(TargetRows("pairs"), kPairRows);
    {
      Db db(target_);
      EXPECT_EQ(db.Int("SELECT count(DISTINCT id) FROM events"), kEventRows);
      EXPECT_EQ(db.Int("SELECT count(*) FROM (SELECT DISTINCT region, seq FROM pairs)"), kPairRows);
      EXPECT_EQ(db.Int("SELECT count(*) FROM sqlite_schema WHERE name = '_peerlock_chunks'"), 0)
          << "the bookkeeping table outlived the copy";
      // The keyless table as a multiset: same rows, each as often as in the source.
      ASSERT_TRUE(db.Exec("ATTACH DATABASE " + QuoteLiteral(source_) + " AS src"));
      std::string tgt = "SELECT level, message, count(*) FROM main.logs GROUP BY level, message";
      std::string src = "SELECT level, message, count(*) FROM src.logs GROUP BY level, message";
      EXPECT_EQ(db.Int("SELECT count(*) FROM (" + src + " EXCEPT " + tgt + ")"), 0);
      EXPECT_EQ(db.Int("SELECT count(*) FROM (" + tgt + " EXCEPT " + src + ")"), 0);
    }
    EXPECT_EQ(CompareQuery(source_, target_, "SELECT * FROM events ORDER BY id",
                           "SELECT * FROM events ORDER BY id"),
              "");
    EXPECT_EQ(CompareQuery(source_, target_, "SELECT * FROM pairs ORDER BY region, seq",
                           "SELECT * FROM pairs ORDER BY region, seq"),
              "");
    RunResult verify = RunPeerlock({"verify", "--plan", plan_, "--state", state_});
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  }

  // Chunks the state store recorded as done, over every run.
  int64_t ChunksDoneInState() {
    Db db(state_ + "/state.db");
    return db.Int("SELECT count(*) FROM chunks WHERE status = 'done'");
  }

  TempDir dir_;
  std::string source_, target_, plan_, state_;
};

TEST_F(Resume, KilledInsideTheSecondChunk) {
  RunResult killed = Copy({}, Fault("copy.row_inserted", 1500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  // The chunk in flight rolled back with its marker: exactly one chunk is in.
  EXPECT_EQ(TargetRowsTotal(), 1000);
  EXPECT_EQ(Markers(), 1);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 1 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  EXPECT_NE(resumed.out.find("copied " + std::to_string(kTotalRows) + " rows in 3 tables"),
            std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(Resume, KilledDeepIntoTheCopy) {
  RunResult killed = Copy({}, Fault("copy.row_inserted", 22222));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRowsTotal(), 22000);
  EXPECT_EQ(Markers(), 22);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 22 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(Resume, KilledInsideAKeylessChunk) {
  // One worker keeps chunks in plan order: events (60 chunks), then logs, then pairs.
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.row_inserted", kEventRows + 1500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRows("events"), kEventRows);
  EXPECT_EQ(TargetRows("logs"), 1000);
  EXPECT_EQ(Markers(), 61);

  RunResult resumed = Copy({"--resume", "--workers", "1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 61 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(Resume, KilledAfterCommitBeforeTheStateStoreKnew) {
  RunResult killed = Copy({}, Fault("copy.chunk_committed", 5));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  // Five chunks are in the target; the state store only heard of four.
  EXPECT_EQ(TargetRowsTotal(), 5000);
  EXPECT_EQ(Markers(), 5);
  EXPECT_EQ(ChunksDoneInState(), 4);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 5 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(Resume, KeylessChunkCommittedBeforeTheStateStoreKnew) {
  // The 62nd chunk is the second of the keyless table: loading it again would duplicate rows.
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.chunk_committed", 62));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRows("logs"), 2000);
  EXPECT_EQ(Markers(), 62);
  EXPECT_EQ(ChunksDoneInState(), 61);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  ExpectCompleteCopy();
}

TEST_F(Resume, KilledThenKilledAgainWhileResumingThenResumed) {
  RunResult first = Copy({}, Fault("copy.row_inserted", 3000));
  ASSERT_EQ(first.exit_code, -SIGKILL) << first.Describe();
  EXPECT_EQ(TargetRowsTotal(), 2000);

  // The fault counts rows inserted by this process: 10 more chunks, then death in the 11th.
  RunResult second = Copy({"--resume"}, Fault("copy.row_inserted", 10500));
  ASSERT_EQ(second.exit_code, -SIGKILL) << second.Describe();
  EXPECT_EQ(TargetRowsTotal(), 12000);
  EXPECT_EQ(Markers(), 12);

  RunResult third = Copy({"--resume"});
  ASSERT_EQ(third.exit_code, 0) << third.Describe();
  EXPECT_NE(third.out.find("resumed: 12 chunk(s) were already in"), std::string::npos) << third.out;
  ExpectCompleteCopy();
}

TEST_F(Resume, ResumeWithNothingInterruptedIsBadInput) {
  RunResult never = Copy({"--resume"});
  EXPECT_EQ(never.exit_code, 2) << never.Describe();
  EXPECT_NE(never.err.find("no interrupted copy"), std::string::npos) << never.err;
  EXPECT_EQ(TargetRowsTotal(), 0);

  RunResult copy = Copy();
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult again = Copy({"--resume"});
  EXPECT_EQ(again.exit_code, 2) << again.Describe();
  EXPECT_NE(again.err.find("no interrupted copy"), std::string::npos) << again.err;
  ExpectCompleteCopy();
}

TEST_F(Resume, PlainCopyAfterAnInterruptedOneIsRefusedThenReplaceWorks) {
  RunResult killed = Copy({}, Fault("copy.row_inserted", 4321));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRowsTotal(), 4000);

  RunResult refused = Copy();
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("--resume"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("events"), std::string::npos) << refused.err;
  EXPECT_EQ(TargetRowsTotal(), 4000) << "a refused copy changed the target";

  RunResult replaced = Copy({"--if-exists", "replace"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.Describe();
  ExpectCompleteCopy();
}

TEST_F(Resume, ResumeStillWorksAfterARefusedPlainCopy) {
  // The refusal's hint says "use --resume": following it must finish the interrupted copy.
  RunResult killed = Copy({}, Fault("copy.row_inserted", 4321));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  RunResult refused = Copy();
  ASSERT_EQ(refused.exit_code, 1) << refused.Describe();

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 4 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

}  // namespace
}  // namespace peerlock::scenario
