// Value fidelity: every value SQLite can hold arrives in the target exactly as it was in the
// source (storage class, bytes, and for REALs every bit), through the real binary.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

constexpr int64_t kBigRows = 100000;

// The source tables, with the ORDER BY that lists every row in one deterministic order.
struct TableOrder {
  std::string name;
  std::string order_by;
};

const std::vector<TableOrder>& Tables() {
  static const std::vector<TableOrder> tables = {
      {"vals", "id"},
      {"order", "\"group\""},
      {"my \"quoted\" table", "\"col with space\""},
      {"pairs", "region, seq"},
      {"loose", "a, b, c"},
      {"dept", "id"},
      {"emp", "id"},
      {"empty_table", "id"},
      {"big", "id"},
  };
  return tables;
}

// One row of `vals`: every column given explicitly, with its storage class.
struct ValsRow {
  int64_t id;
  Value t, i, r, b, a;
};

std::vector<ValsRow> ValsRows() {
  const double inf = std::numeric_limits<double>::infinity();
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes += static_cast<char>(c);
  return {
      // NULL vs '' vs the text 'NULL', in every column that can hold them.
      {1, VNull(), VNull(), VNull(), VNull(), VNull()},
      {2, VText(""), VText(""), VText(""), VBlob(""), VText("")},
      {3, VText("NULL"), VText("NULL"), VText("NULL"), VBlob("NULL"), VText("NULL")},
      // Unicode: a 4-byte emoji, combining marks, CJK, a text with a NUL byte inside.
      {4, VText("\xF0\x9F\x98\x80 grin \xF0\x9D\x84\x9E"), VNull(), VNull(), VNull(),
       VText("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7")},
      {5, VText("e\xCC\x81 vs \xC3\xA9, a\xCC\x8A\xCC\x81"), VNull(), VNull(), VNull(), VNull()},
      {6, VText("\xE6\xBC\xA2\xE5\xAD\x97 \xE3\x81\x8B\xE3\x81\xAA \xED\x95\x9C\xEA\xB5\xAD"),
       VNull(), VNull(), VNull(), VNull()},
      {7, VText(std::string("a\0b", 3)), VNull(), VNull(), VBlob(std::string("\0", 1)),
       VBlob(std::string("\0\0\x01\0", 4))},
      // Blobs: NUL bytes, every byte value, a zero-length blob next to an empty text.
      {8, VNull(), VNull(), VNull(), VBlob(all_bytes), VBlob("")},
      // INT64 extremes, and an integer stored in the REAL column (SQLite makes it REAL).
      {9, VNull(), VInt(std::numeric_limits<int64_t>::min()), VReal(-1), VNull(),
       VInt(std::numeric_limits<int64_t>::min())},
      {10, VNull(), VInt(std::numeric_limits<int64_t>::max()), VReal(3), VNull(),
       VInt(std::numeric_limits<int64_t>::max())},
      // REALs that need all 17 significant digits, the extremes, infinities.
      {11, VNull(), VInt(0), VReal(0.1 + 0.2), VNull(), VReal(0.1 + 0.2)},
      {12, VNull(), VInt(-1), VReal(5e-324), VNull(), VReal(5e-324)},
      {13, VNull(), VNull(), VReal(1.7976931348623157e308), VNull(),
       VReal(-1.7976931348623157e308)},
      {14, VNull(), VNull(), VReal(2.2250738585072014e-308), VNull(), VReal(1.0 / 3.0)},
      {15, VNull(), VNull(), VReal(inf), VNull(), VReal(-inf)},
      // -0.0: a REAL column stores it as 0 (SQLite itself); an untyped one keeps the sign.
      {16, VNull(), VNull(), VReal(-0.0), VNull(), VReal(-0.0)},
      // Off-type values SQLite allows: text in an INTEGER column, a fraction in it.
      {17, VNull(), VText("abc"), VText("abc"), VNull(), VNull()},
      {18, VNull(), VReal(1.5), VNull(), VNull(), VNull()},
      {19, VNull(), VText("12abc"), VNull(), VText("blob column text"), VNull()},
      // The untyped column keeps 1, '1', 1.0 and x'31' apart.
      {20, VNull(), VNull(), VNull(), VInt(7), VInt(1)},
      {21, VNull(), VNull(), VNull(), VReal(7.25), VText("1")},
      {22, VNull(), VNull(), VNull(), VNull(), VReal(1.0)},
      {23, VNull(), VNull(), VNull(), VNull(), VBlob("1")},
      {24, VText(" leading and trailing  "), VNull(), VNull(), VNull(), VText("\n\t\r")},
  };
}

void BuildSource(const std::string& path) {
  Db db(path);
  ASSERT_TRUE(db.Exec(R"sql(
    CREATE TABLE vals (id INTEGER PRIMARY KEY, t TEXT, i INTEGER, r REAL, b BLOB, a);
    CREATE TABLE "order" ("group" INTEGER PRIMARY KEY, "select" TEXT NOT NULL, "where" INTEGER,
                          "from" REAL);
    CREATE TABLE "my ""quoted"" table" ("col with space" TEXT PRIMARY KEY,
                                        "it's ""q""" INTEGER, "😀" TEXT);
    CREATE TABLE pairs (region TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB,
                        PRIMARY KEY (region, seq)) WITHOUT ROWID;
    CREATE TABLE loose (a INTEGER, b TEXT, c REAL);
    CREATE TABLE dept (id INTEGER PRIMARY KEY, name TEXT, head_id INTEGER REFERENCES emp(id));
    CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER REFERENCES dept(id));
    CREATE TABLE empty_table (id INTEGER PRIMARY KEY, v TEXT);
    CREATE TABLE big (id INTEGER PRIMARY KEY, n INTEGER, r REAL, t TEXT, b BLOB);
  )sql"));
  ASSERT_TRUE(db.Exec("BEGIN"));
  for (const ValsRow& row : ValsRows())
    ASSERT_TRUE(db.Run("INSERT INTO vals VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                       {VInt(row.id), row.t, row.i, row.r, row.b, row.a}));
  ASSERT_TRUE(db.Exec(R"sql(
    INSERT INTO "order" VALUES (1, 'from', 10, 0.5), (2, 'where', NULL, -2.5),
                               (-3, 'group by', 0, NULL);
    INSERT INTO "my ""quoted"" table" VALUES ('a b', 1, 'x'), ('"', 2, NULL),
                                             ('it''s', 3, '😀'), ('', 4, '');
    INSERT INTO pairs VALUES ('eu', 1, x'00'), ('eu', 2, NULL), ('us', 1, x''),
                             ('日本', 1, x'ff00ff'), ('', -5, x'01');
    INSERT INTO loose VALUES (1, 'x', 0.5), (1, 'x', 0.5), (1, 'x', 0.5), (2, NULL, NULL),
                             (2, NULL, NULL), (NULL, NULL, NULL), (NULL, NULL, NULL),
                             (3, 'three', 3.25);
    INSERT INTO dept VALUES (1, 'eng', 10), (2, 'ops', 20), (3, 'empty', NULL);
    INSERT INTO emp VALUES (10, 'ada', 1), (20, 'bob', 2), (30, 'cy', 1), (40, 'dee', NULL);
  )sql"));
  // 100k rows with negative and positive ids, fractions needing 17 digits, CJK text, blobs.
  ASSERT_TRUE(db.Exec(R"sql(
    WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 100000)
    INSERT INTO big
    SELECT x * 7 - 350000,
           CASE WHEN x % 97 = 0 THEN NULL ELSE (x * 2654435761) % 4294967296 - 2147483648 END,
           CASE WHEN x % 89 = 0 THEN NULL ELSE x / 7.0 END,
           CASE WHEN x % 83 = 0 THEN NULL
                ELSE printf('row %d %s', x, char(19968 + x % 500, 128512 + x % 64)) END,
           CASE WHEN x % 79 = 0 THEN NULL WHEN x % 13 = 0 THEN x''
                ELSE CAST(printf('b%d', x) AS BLOB) || zeroblob(x % 3) END
    FROM k;
  )sql"));
  ASSERT_TRUE(db.Exec("COMMIT"));
}

class ValueFidelity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    source_ = dir_->File("source.db");
    target_ = dir_->File("target.db");
    plan_ = dir_->File("plan.yaml");
    BuildSource(source_);
    WritePlan(plan_, source_, target_, "copy:\n  workers: 3\n  chunk_rows: 1000\n");
    copy_ = std::make_unique<RunResult>(
        RunPeerlock({"copy", "--plan", plan_, "--state", dir_->File("state")}));
    verify_ = std::make_unique<RunResult>(
        RunPeerlock({"verify", "--json", "--plan", plan_, "--state", dir_->File("state")}));
  }
  static void TearDownTestSuite() {
    copy_.reset();
    verify_.reset();
    dir_.reset();
  }

  void SetUp() override { ASSERT_EQ(copy_->exit_code, 0) << copy_->Describe(); }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::string source_, target_, plan_;
  static inline std::unique_ptr<RunResult> copy_, verify_;
};

TEST_F(ValueFidelity, SourceHoldsWhatTheScenarioNeeds) {
  // Guards the premises: if SQLite stored these differently the other checks would be weaker.
  Db db(source_);
  EXPECT_EQ(db.Text("SELECT typeof(i) FROM vals WHERE id = 17"), "text");
  EXPECT_EQ(db.Text("SELECT typeof(b) FROM vals WHERE id = 2"), "blob");
  EXPECT_EQ(db.Int("SELECT length(b) FROM vals WHERE id = 2"), 0);
  EXPECT_EQ(db.Text("SELECT typeof(t) FROM vals WHERE id = 2"), "text");
  auto rows = db.Rows("SELECT a FROM vals WHERE id = 16");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0][0].type, SQLITE_FLOAT);
  EXPECT_TRUE(std::signbit(rows[0][0].f));
  EXPECT_EQ(db.Int("SELECT count(*) FROM big"), kBigRows);
  EXPECT_EQ(db.Int("SELECT count(*) FROM loose"), 8);
}

TEST_F(ValueFidelity, TargetHasExactlyTheSourceTables) {
  EXPECT_EQ(TableNames(target_), TableNames(source_));
  Db db(target_);
  EXPECT_EQ(db.Int("SELECT count(*) FROM sqlite_schema WHERE name = '_peerlock_chunks'"), 0);
}

TEST_F(ValueFidelity, EveryValueOfEveryTableIsIdentical) {
  for (const auto& table : Tables()) {
    std::string select = "SELECT * FROM " + QuoteId(table.name) + " ORDER BY " + table.order_by;
    EXPECT_EQ(CompareQuery(source_, target_, select, select), "") << "table " << table.name;
  }
}

TEST_F(ValueFidelity, StorageClassesAndBytesMatchViaAttach) {
  // The same check done inside SQLite: typeof + hex of every column, as multisets.
  Db db(source_);
  ASSERT_TRUE(db.Exec("ATTACH DATABASE '" + target_ + "' AS tgt"));
  for (const auto& table : Tables()) {
    auto columns = db.Query("SELECT name FROM pragma_table_info(" + QuoteLiteral(table.name) + ")");
    ASSERT_FALSE(columns.empty()) << table.name;
    std::string exprs;
    for (const auto& c : columns) {
      if (!exprs.empty()) exprs += ", ";
      std::string id = QuoteId(*c[0]);
      exprs += "typeof(" + id + "), hex(" + id + "), quote(" + id + ")";
    }
    std::string q = QuoteId(table.name);
    std::string left = "SELECT " + exprs + " FROM main." + q;
    std::string right = "SELECT " + exprs + " FROM tgt." + q;
    EXPECT_EQ(db.Int("SELECT count(*) FROM (" + left + " EXCEPT " + right + ")"), 0) << table.name;
    EXPECT_EQ(db.Int("SELECT count(*) FROM (" + right + " EXCEPT " + left + ")"), 0) << table.name;
    EXPECT_EQ(db.Int("SELECT count(*) FROM main." + q), db.Int("SELECT count(*) FROM tgt." + q))
        << table.name;
  }
}

TEST_F(ValueFidelity, SpecificValuesSurviveWithTheirStorageClass) {
  Db db(target_);
  EXPECT_EQ(db.Text("SELECT typeof(i) || ':' || i FROM vals WHERE id = 17"), "text:abc");
  EXPECT_EQ(db.Text("SELECT typeof(i) || ':' || i FROM vals WHERE id = 19"), "text:12abc");
  EXPECT_EQ(db.Text("SELECT typeof(i) FROM vals WHERE id = 18"), "real");
  EXPECT_EQ(db.Text("SELECT typeof(t) || ':' || typeof(b) FROM vals WHERE id = 1"), "null:null");
  EXPECT_EQ(db.Text("SELECT typeof(t) || ':' || length(t) FROM vals WHERE id = 2"), "text:0");
  EXPECT_EQ(db.Text("SELECT typeof(b) || ':' || length(b) FROM vals WHERE id = 2"), "blob:0");
  EXPECT_EQ(db.Text("SELECT typeof(t) || ':' || t FROM vals WHERE id = 3"), "text:NULL");
  EXPECT_EQ(db.Int("SELECT length(CAST(t AS BLOB)) FROM vals WHERE id = 7"), 3);
  EXPECT_EQ(db.Text("SELECT hex(b) FROM vals WHERE id = 7"), "00");
  EXPECT_EQ(db.Int("SELECT length(b) FROM vals WHERE id = 8"), 256);
  EXPECT_EQ(db.Int("SELECT i FROM vals WHERE id = 9"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(db.Int("SELECT i FROM vals WHERE id = 10"), std::numeric_limits<int64_t>::max());
  auto reals = db.Rows("SELECT r, a FROM vals WHERE id IN (11, 12, 13, 16) ORDER BY id");
  ASSERT_EQ(reals.size(), 4u);
  EXPECT_EQ(reals[0][0], VReal(0.30000000000000004)) << reals[0][0].Describe();
  EXPECT_EQ(reals[1][0], VReal(5e-324)) << reals[1][0].Describe();
  EXPECT_EQ(reals[2][0], VReal(1.7976931348623157e308)) << reals[2][0].Describe();
  EXPECT_EQ(reals[3][1], VReal(-0.0)) << "untyped -0.0 lost its sign: " << reals[3][1].Describe();
  auto untyped = db.Rows("SELECT a FROM vals WHERE id IN (20, 21, 22, 23) ORDER BY id");
  ASSERT_EQ(untyped.size(), 4u);
  EXPECT_EQ(untyped[0][0], VInt(1));
  EXPECT_EQ(untyped[1][0], VText("1"));
  EXPECT_EQ(untyped[2][0], VReal(1.0));
  EXPECT_EQ(untyped[3][0], VBlob("1"));
  EXPECT_EQ(db.Text("SELECT \"select\" FROM \"order\" WHERE \"group\" = -3"), "group by");
  EXPECT_EQ(db.Int("SELECT \"it's \"\"q\"\"\" FROM \"my \"\"quoted\"\" table\" "
                   "WHERE \"col with space\" = 'it''s'"),
            3);
  EXPECT_EQ(db.Int("SELECT count(*) FROM loose WHERE a = 1 AND b = 'x' AND c = 0.5"), 3);
  EXPECT_EQ(db.Int("SELECT count(*) FROM loose WHERE a IS NULL AND b IS NULL AND c IS NULL"), 2);
  EXPECT_EQ(db.Int("SELECT count(*) FROM empty_table"), 0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM big"), kBigRows);
}

TEST_F(ValueFidelity, ForeignKeyCycleIsIntactAndChecks) {
  Db db(target_);
  EXPECT_EQ(db.Int("SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM pragma_foreign_key_list('dept')"), 1);
  EXPECT_EQ(db.Int("SELECT count(*) FROM pragma_foreign_key_list('emp')"), 1);
  EXPECT_EQ(db.Text("SELECT group_concat(e.name, ',') FROM dept d JOIN emp e ON e.id = d.head_id"),
            "ada,bob");
}

TEST_F(ValueFidelity, BigTableWentThroughManyChunks) {
  // chunk_rows 1000 over 100k rows: the copy reports 100 chunks for big.
  bool found = false;
  for (const auto& line : Lines(copy_->out)) {
    if (line.rfind("big ", 0) != 0) continue;
    found = true;
    EXPECT_NE(line.find(" 100000 "), std::string::npos) << line;
    EXPECT_NE(line.find(" 100 "), std::string::npos) << line;
  }
  EXPECT_TRUE(found) << copy_->Describe();
}

TEST_F(ValueFidelity, VerifyReportsEveryTableEqual) {
  ASSERT_EQ(verify_->exit_code, 0) << verify_->Describe();
  auto json = nlohmann::json::parse(verify_->out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << verify_->out;
  EXPECT_EQ(json["equal"], true);
  ASSERT_EQ(json["tables"].size(), Tables().size());
  Db db(source_);
  for (const auto& t : json["tables"]) {
    std::string name = t["table"];
    EXPECT_EQ(t["equal"], true) << name;
    EXPECT_EQ(t["difference_count"], 0) << name;
    EXPECT_TRUE(t["differences"].empty()) << name;
    int64_t rows = db.Int("SELECT count(*) FROM " + QuoteId(name));
    EXPECT_EQ(t["source_rows"], rows) << name;
    EXPECT_EQ(t["target_rows"], rows) << name;
  }
}

}  // namespace
}  // namespace peerlock::scenario
