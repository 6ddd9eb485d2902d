// Resume into PostgreSQL: a copy killed with SIGKILL (PEERLOCK_FAULT) in the middle of a
// chunk, once or twice in a row, resumes with `copy --resume` to a target holding every source
// row exactly once, without the bookkeeping table, and verify equal. From PostgreSQL (raw
// binary COPY pass-through, ctid chunks for the keyless table) and from SQLite (decoded rows).

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using pg::CompareRowText;
using pg::CompareTexts;
using pg::NewDb;
using pg::Psql;
using pg::PsqlInt;

// 30 + 6 + 6 chunks of 1000 rows with chunk_rows 1000 (the keyless table splits by pages, so
// its chunks are about that size).
constexpr int64_t kEventRows = 30000;
constexpr int64_t kLogRows = 6000;
constexpr int64_t kPairRows = 6000;
constexpr int64_t kTotalRows = kEventRows + kLogRows + kPairRows;

constexpr const char* kPgSource = R"sql(
  CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, n bigint, payload bytea);
  INSERT INTO events
  SELECT g * 3 - 1000, 'kind ' || (g % 11), CASE WHEN g % 7 <> 0 THEN g * g END,
         convert_to('p' || g, 'UTF8')
  FROM generate_series(1, 30000) g;
  -- No key, many identical rows: a chunk loaded twice would show up as extra copies.
  CREATE TABLE logs (level integer, message text);
  INSERT INTO logs SELECT g % 5, CASE WHEN g % 13 <> 0 THEN 'msg ' || (g % 40) END
  FROM generate_series(1, 6000) g;
  CREATE TABLE pairs (region text NOT NULL, seq integer NOT NULL, v text,
                      PRIMARY KEY (region, seq));
  INSERT INTO pairs SELECT r, g, r || ':' || g
  FROM unnest(ARRAY['eu', 'us', 'ünï']) r, generate_series(1, 2000) g;
  ANALYZE;
)sql";

class PgResume : public ::testing::Test {
 protected:
  // PostgreSQL source with the three tables above.
  void PgSource() {
    source_ = NewDb("src");
    Psql(source_, kPgSource);
    Target();
  }

  // The same rows in a SQLite file.
  void SqliteSource() {
    std::string path = ws_.File("source.db");
    {
      Db db(path);
      ASSERT_TRUE(db.Exec(R"sql(
        BEGIN;
        CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, n INTEGER, payload BLOB);
        WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 30000)
        INSERT INTO events SELECT x * 3 - 1000, 'kind ' || (x % 11),
                                  CASE WHEN x % 7 THEN x * x END, CAST('p' || x AS BLOB) FROM k;
        CREATE TABLE logs (level INTEGER, message TEXT);
        WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 6000)
        INSERT INTO logs SELECT x % 5, CASE WHEN x % 13 THEN 'msg ' || (x % 40) END FROM k;
        CREATE TABLE pairs (region TEXT NOT NULL, seq INTEGER NOT NULL, v TEXT,
                            PRIMARY KEY (region, seq));
        WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 2000),
             r(name) AS (VALUES ('eu'), ('us'), ('ünï'))
        INSERT INTO pairs SELECT name, x, name || ':' || x FROM r, k;
        COMMIT;
      )sql"));
    }
    source_ = SqliteUrl(path);
    sqlite_path_ = path;
    Target();
  }

  void Target() {
    target_ = NewDb("dst");
    ws_.Plan(source_, target_, "copy:\n  chunk_rows: 1000\n");
  }

  RunResult Copy(const std::vector<std::string>& extra = {}, const EnvList& env = {}) {
    return ws_.Run("copy", extra, env);
  }
  static EnvList Fault(const std::string& point, int64_t n) {
    return {{"PEERLOCK_FAULT", point + ":" + std::to_string(n)}};
  }

  // Rows of `table` on the target, 0 when it does not exist (yet).
  int64_t TargetRows(const std::string& table) {
    if (Psql(target_, "SELECT to_regclass('public." + table + "') IS NULL") == "t") return 0;
    return PsqlInt(target_, "SELECT count(*) FROM public." + table);
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
    EXPECT_EQ(PsqlInt(target_, "SELECT count(DISTINCT id) FROM events"), kEventRows);
    EXPECT_EQ(PsqlInt(target_, "SELECT count(DISTINCT (region, seq)) FROM pairs"), kPairRows);
    EXPECT_EQ(Psql(target_, "SELECT to_regclass('public._peerlock_chunks') IS NULL"), "t")
        << "the bookkeeping table outlived the copy";
    // The keyless table as a multiset: each distinct row as often as in the source.
    std::string multiset =
        "SELECT concat_ws('|', level, coalesce(message, '<null>'), count(*)) FROM logs "
        "GROUP BY level, message ORDER BY level, message";
    if (sqlite_path_.empty()) {
      EXPECT_EQ(CompareTexts(source_, target_, multiset, multiset), "");
      EXPECT_EQ(CompareRowText(source_, target_, "events", "id"), "");
      EXPECT_EQ(CompareRowText(source_, target_, "pairs", "region, seq"), "");
    } else {
      Db db(sqlite_path_);
      std::vector<std::string> want;
      for (const auto& row :
           db.Query("SELECT level || '|' || coalesce(message, '<null>') || '|' || count(*) FROM "
                    "logs GROUP BY level, message ORDER BY level, message"))
        want.push_back(row[0].value_or("?"));
      std::vector<std::string> got = pg::PsqlTexts(target_, multiset);
      std::sort(got.begin(), got.end());  // NULLs sort last in PostgreSQL, first in SQLite
      std::sort(want.begin(), want.end());
      EXPECT_EQ(got, want);
      EXPECT_EQ(PsqlInt(target_,
                        "SELECT count(*) FROM events WHERE payload = "
                        "convert_to('p' || ((id + 1000) / 3), 'UTF8') AND "
                        "kind = 'kind ' || ((id + 1000) / 3 % 11)"),
                kEventRows);
    }
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
  }

  std::string source_, target_, sqlite_path_;
  pg::Workspace ws_;
};

TEST_F(PgResume, PgToPgKilledMidChunkThenResumed) {
  PgSource();
  RunResult killed = Copy({}, Fault("copy.row_inserted", 15500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  int64_t in = TargetRowsTotal();
  EXPECT_GT(in, 0);
  EXPECT_LT(in, kTotalRows);
  EXPECT_GT(Markers(), 0);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed:"), std::string::npos) << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(PgResume, PgToPgOneWorkerChunksAreAtomic) {
  PgSource();
  // One worker keeps chunks in plan order: death in the 3rd chunk leaves exactly 2 in.
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.row_inserted", 2500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRowsTotal(), 2000);
  EXPECT_EQ(Markers(), 2);

  RunResult resumed = Copy({"--resume", "--workers", "1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 2 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  EXPECT_NE(resumed.out.find("copied " + std::to_string(kTotalRows) + " rows in 3 tables"),
            std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(PgResume, PgToPgKilledTwiceThenResumed) {
  PgSource();
  RunResult first = Copy({}, Fault("copy.row_inserted", 5500));
  ASSERT_EQ(first.exit_code, -SIGKILL) << first.Describe();
  int64_t after_first = TargetRowsTotal();
  EXPECT_LT(after_first, kTotalRows);

  RunResult second = Copy({"--resume"}, Fault("copy.row_inserted", 12500));
  ASSERT_EQ(second.exit_code, -SIGKILL) << second.Describe();
  int64_t after_second = TargetRowsTotal();
  EXPECT_GT(after_second, after_first);
  EXPECT_LT(after_second, kTotalRows);

  RunResult third = Copy({"--resume"});
  ASSERT_EQ(third.exit_code, 0) << third.Describe();
  ExpectCompleteCopy();
}

TEST_F(PgResume, PgToPgKilledInsideAKeylessChunk) {
  PgSource();
  // Plan order with one worker: events (30 chunks), then logs (ctid chunks), then pairs.
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.row_inserted", kEventRows + 1500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRows("events"), kEventRows);
  EXPECT_GT(TargetRows("logs"), 0);
  EXPECT_LT(TargetRows("logs"), kLogRows);

  RunResult resumed = Copy({"--resume", "--workers", "1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  ExpectCompleteCopy();
}

TEST_F(PgResume, PgToPgKeylessChunkCommittedBeforeTheStateStoreKnew) {
  PgSource();
  // The 32nd chunk is the second of the keyless table: loading it again would duplicate rows.
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.chunk_committed", 32));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(Markers(), 32);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 32 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(PgResume, SqliteToPgKilledMidChunkThenResumed) {
  SqliteSource();
  RunResult killed = Copy({}, Fault("copy.row_inserted", 15500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  int64_t in = TargetRowsTotal();
  EXPECT_GT(in, 0);
  EXPECT_LT(in, kTotalRows);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  ExpectCompleteCopy();
}

TEST_F(PgResume, SqliteToPgOneWorkerChunksAreAtomic) {
  SqliteSource();
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.row_inserted", 3333));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRowsTotal(), 3000);
  EXPECT_EQ(Markers(), 3);

  RunResult resumed = Copy({"--resume", "--workers", "1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_NE(resumed.out.find("resumed: 3 chunk(s) were already in"), std::string::npos)
      << resumed.out;
  ExpectCompleteCopy();
}

TEST_F(PgResume, SqliteToPgKilledTwiceThenResumed) {
  SqliteSource();
  RunResult first = Copy({"--workers", "1"}, Fault("copy.row_inserted", 3000 + 500));
  ASSERT_EQ(first.exit_code, -SIGKILL) << first.Describe();
  EXPECT_EQ(TargetRowsTotal(), 3000);

  // The fault counts rows inserted by this process: 10 more chunks, then death in the 11th.
  RunResult second = Copy({"--resume", "--workers", "1"}, Fault("copy.row_inserted", 10500));
  ASSERT_EQ(second.exit_code, -SIGKILL) << second.Describe();
  EXPECT_EQ(TargetRowsTotal(), 13000);
  EXPECT_EQ(Markers(), 13);

  RunResult third = Copy({"--resume"});
  ASSERT_EQ(third.exit_code, 0) << third.Describe();
  EXPECT_NE(third.out.find("resumed: 13 chunk(s) were already in"), std::string::npos) << third.out;
  ExpectCompleteCopy();
}

TEST_F(PgResume, SqliteToPgKilledInsideAKeylessChunk) {
  SqliteSource();
  RunResult killed = Copy({"--workers", "1"}, Fault("copy.row_inserted", kEventRows + 1500));
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  EXPECT_EQ(TargetRows("events"), kEventRows);
  EXPECT_EQ(TargetRows("logs"), 1000);

  RunResult resumed = Copy({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  ExpectCompleteCopy();
}

}  // namespace
}  // namespace peerlock::scenario
