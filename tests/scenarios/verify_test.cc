// Verify: after a real copy, a single edited, deleted or inserted row in the target is found
// and named exactly (table, kind, key, columns); equal copies verify equal, with sampling and
// with a plan full of transforms.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;

const std::vector<std::string> kTables = {"items", "pairs", "loose", "tiny"};

void BuildSource(const std::string& path) {
  Db db(path);
  ASSERT_TRUE(db.Exec(R"sql(
    BEGIN;
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, note TEXT);
    WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 5000)
    INSERT INTO items SELECT x, 'item-' || x, x % 17, CASE WHEN x % 5 THEN 'note ' || x END
    FROM k;
    CREATE TABLE pairs (region TEXT NOT NULL, seq INTEGER NOT NULL, v TEXT,
                        PRIMARY KEY (region, seq));
    WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 100),
         r(name) AS (VALUES ('eu'), ('us'), ('日本'))
    INSERT INTO pairs SELECT name, x, name || '/' || x FROM r, k;
    CREATE TABLE loose (a INTEGER, b TEXT);
    WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 60)
    INSERT INTO loose SELECT x % 10, 'v' || (x % 10) FROM k;
    INSERT INTO loose VALUES (99, 'unique');
    CREATE TABLE tiny (id INTEGER PRIMARY KEY, v TEXT);
    INSERT INTO tiny VALUES (1, 'one'), (2, 'two'), (3, 'three');
    COMMIT;
  )sql"));
}

class Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("source.db");
    target_ = dir_.File("target.db");
    plan_ = dir_.File("plan.yaml");
    state_ = dir_.File("state");
    BuildSource(source_);
    WritePlan(plan_, source_, target_, "copy:\n  chunk_rows: 1000\n");
    RunResult copy = RunPeerlock({"copy", "--plan", plan_, "--state", state_});
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  }

  // Runs verify --json with `extra` arguments; `result` keeps the process result.
  json VerifyJson(RunResult& result, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"verify", "--json", "--plan", plan_, "--state", state_};
    args.insert(args.end(), extra.begin(), extra.end());
    result = RunPeerlock(args);
    json parsed = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << result.Describe();
    return parsed;
  }

  // The verdict of `table` (fails the test when it is absent).
  static json TableVerdict(const json& verdict, const std::string& table) {
    for (const auto& t : verdict["tables"])
      if (t["table"] == table) return t;
    ADD_FAILURE() << "no verdict for table " << table << " in " << verdict.dump(2);
    return json::object();
  }

  // Every table but `different` is reported equal with no differences.
  static void ExpectOthersEqual(const json& verdict, const std::string& different) {
    EXPECT_EQ(verdict["tables"].size(), kTables.size()) << verdict.dump(2);
    for (const auto& t : verdict["tables"]) {
      if (t["table"] == different) continue;
      EXPECT_EQ(t["equal"], true) << t.dump(2);
      EXPECT_EQ(t["difference_count"], 0) << t.dump(2);
      EXPECT_TRUE(t["differences"].empty()) << t.dump(2);
    }
  }

  TempDir dir_;
  std::string source_, target_, plan_, state_;
};

TEST_F(Verify, EqualCopyVerifiesEqual) {
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(verdict["equal"], true);
  ExpectOthersEqual(verdict, "");
  EXPECT_EQ(TableVerdict(verdict, "items")["source_rows"], 5000);
  EXPECT_EQ(TableVerdict(verdict, "items")["target_rows"], 5000);
  EXPECT_EQ(TableVerdict(verdict, "pairs")["source_rows"], 300);
  EXPECT_EQ(TableVerdict(verdict, "loose")["target_rows"], 61);
}

TEST_F(Verify, OneChangedByteIsNamedByTableKeyAndColumn) {
  {
    Db db(target_);
    // 'item-2345' -> 'item-2845': one byte of one text value of one row.
    ASSERT_TRUE(db.Exec("UPDATE items SET name = 'item-2845' WHERE id = 2345"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(verdict["equal"], false);
  ExpectOthersEqual(verdict, "items");
  json items = TableVerdict(verdict, "items");
  EXPECT_EQ(items["equal"], false);
  EXPECT_EQ(items["source_rows"], 5000);
  EXPECT_EQ(items["target_rows"], 5000);
  EXPECT_EQ(items["difference_count"], 1);
  ASSERT_EQ(items["differences"].size(), 1u) << items.dump(2);
  const json& d = items["differences"][0];
  EXPECT_EQ(d["kind"], "changed");
  EXPECT_EQ(d["key"], json({{"id", 2345}}));
  EXPECT_TRUE(d["key"]["id"].is_number_integer()) << d.dump();
  EXPECT_EQ(d["columns"], json::array({"name"}));
}

TEST_F(Verify, CompositeKeyChangeNamesBothKeyColumns) {
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("UPDATE pairs SET v = 'x' WHERE region = '日本' AND seq = 42"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  ExpectOthersEqual(verdict, "pairs");
  json pairs = TableVerdict(verdict, "pairs");
  EXPECT_EQ(pairs["difference_count"], 1);
  ASSERT_EQ(pairs["differences"].size(), 1u) << pairs.dump(2);
  const json& d = pairs["differences"][0];
  EXPECT_EQ(d["kind"], "changed");
  EXPECT_EQ(d["key"], json({{"region", "日本"}, {"seq", 42}}));
  EXPECT_TRUE(d["key"]["region"].is_string());
  EXPECT_TRUE(d["key"]["seq"].is_number_integer());
  EXPECT_EQ(d["columns"], json::array({"v"}));
}

TEST_F(Verify, DeletedRowIsMissingWithItsKey) {
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("DELETE FROM items WHERE id = 4000"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  ExpectOthersEqual(verdict, "items");
  json items = TableVerdict(verdict, "items");
  EXPECT_EQ(items["equal"], false);
  EXPECT_EQ(items["source_rows"], 5000);
  EXPECT_EQ(items["target_rows"], 4999);
  EXPECT_EQ(items["difference_count"], 1);
  ASSERT_EQ(items["differences"].size(), 1u) << items.dump(2);
  EXPECT_EQ(items["differences"][0]["kind"], "missing");
  EXPECT_EQ(items["differences"][0]["key"], json({{"id", 4000}}));
  EXPECT_EQ(items["differences"][0]["columns"], json::array());
}

TEST_F(Verify, InsertedRowIsExtraWithItsKey) {
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("INSERT INTO items VALUES (2500000, 'intruder', 1, NULL)"));
    ASSERT_TRUE(db.Exec("INSERT INTO pairs VALUES ('eu', 0, 'new')"));
  }
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  json items = TableVerdict(verdict, "items");
  EXPECT_EQ(items["target_rows"], 5001);
  EXPECT_EQ(items["difference_count"], 1);
  ASSERT_EQ(items["differences"].size(), 1u) << items.dump(2);
  EXPECT_EQ(items["differences"][0]["kind"], "extra");
  EXPECT_EQ(items["differences"][0]["key"], json({{"id", 2500000}}));
  json pairs = TableVerdict(verdict, "pairs");
  EXPECT_EQ(pairs["difference_count"], 1);
  ASSERT_EQ(pairs["differences"].size(), 1u) << pairs.dump(2);
  EXPECT_EQ(pairs["differences"][0]["kind"], "extra");
  EXPECT_EQ(pairs["differences"][0]["key"], json({{"region", "eu"}, {"seq", 0}}));
  EXPECT_EQ(TableVerdict(verdict, "loose")["equal"], true);
  EXPECT_EQ(TableVerdict(verdict, "tiny")["equal"], true);
}

TEST_F(Verify, KeylessChangeIsMissingPlusExtraByRowId) {
  int64_t source_rowid = Db(source_).Int("SELECT rowid FROM loose WHERE a = 99");
  int64_t target_rowid = 0;
  {
    Db db(target_);
    target_rowid = db.Int("SELECT rowid FROM loose WHERE a = 99");
    ASSERT_TRUE(db.Exec("UPDATE loose SET b = 'uniquE' WHERE a = 99"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  ExpectOthersEqual(verdict, "loose");
  json loose = TableVerdict(verdict, "loose");
  EXPECT_EQ(loose["equal"], false);
  EXPECT_EQ(loose["source_rows"], 61);
  EXPECT_EQ(loose["target_rows"], 61);
  EXPECT_EQ(loose["difference_count"], 2);
  ASSERT_EQ(loose["differences"].size(), 2u) << loose.dump(2);
  json missing, extra;
  for (const auto& d : loose["differences"]) (d["kind"] == "missing" ? missing : extra) = d;
  EXPECT_EQ(missing["kind"], "missing") << loose.dump(2);
  EXPECT_EQ(missing["key"], json({{"rowid", source_rowid}}));
  EXPECT_EQ(extra["kind"], "extra") << loose.dump(2);
  EXPECT_EQ(extra["key"], json({{"rowid", target_rowid}}));
}

TEST_F(Verify, KeylessDuplicateCountMatters) {
  // Multiset, not set: dropping one of six identical rows is a difference.
  {
    Db db(target_);
    ASSERT_TRUE(
        db.Exec("DELETE FROM loose WHERE rowid = (SELECT max(rowid) FROM loose WHERE a = 3)"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult run;
  json verdict = VerifyJson(run);
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  json loose = TableVerdict(verdict, "loose");
  EXPECT_EQ(loose["target_rows"], 60);
  EXPECT_EQ(loose["difference_count"], 1);
  ASSERT_EQ(loose["differences"].size(), 1u) << loose.dump(2);
  EXPECT_EQ(loose["differences"][0]["kind"], "missing");
  // Which of the six identical source rows is named is not specified; it must be one of them.
  json key = loose["differences"][0]["key"];
  ASSERT_TRUE(key.contains("rowid")) << key.dump();
  Db source(source_);
  EXPECT_EQ(source.Int("SELECT count(*) FROM loose WHERE a = 3 AND rowid = " +
                       std::to_string(key["rowid"].get<int64_t>())),
            1)
      << key.dump();
}

TEST_F(Verify, SampleOnEqualCopyReportsSampledRows) {
  RunResult run;
  json verdict = VerifyJson(run, {"--sample", "50"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(verdict["equal"], true);
  EXPECT_EQ(TableVerdict(verdict, "items")["sampled"], 50);
  EXPECT_EQ(TableVerdict(verdict, "pairs")["sampled"], 50);
  EXPECT_EQ(TableVerdict(verdict, "tiny")["sampled"], 3);  // all it has
  ExpectOthersEqual(verdict, "");
}

TEST_F(Verify, TablesOptionLimitsTheComparison) {
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("DELETE FROM items WHERE id = 1"));
  }
  RunResult run;
  json verdict = VerifyJson(run, {"--tables", "pairs,tiny"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  ASSERT_EQ(verdict["tables"].size(), 2u) << verdict.dump(2);
  std::vector<std::string> names;
  for (const auto& t : verdict["tables"]) names.push_back(t["table"]);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"pairs", "tiny"}));
  json items_only = VerifyJson(run, {"--tables", "items"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(items_only["equal"], false);
}

// A plan with every kind of transform: the copy applies them and verify compares through them.
class VerifyTransforms : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("source.db");
    target_ = dir_.File("target.db");
    plan_ = dir_.File("plan.yaml");
    state_ = dir_.File("state");
    {
      Db db(source_);
      ASSERT_TRUE(db.Exec(R"sql(
        BEGIN;
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT,
                                ssn TEXT, notes TEXT, phone TEXT, balance TEXT,
                                active INTEGER NOT NULL);
        WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 3000)
        INSERT INTO customers
        SELECT x, 'name ' || x, 'user' || x || '@example.com', printf('%03d-%02d', x % 1000, x % 100),
               CASE WHEN x % 2 THEN 'note ' || x END, '+1-555-' || x,
               printf('%d.%02d', x, x % 100), x % 3 != 0
        FROM k;
        CREATE TABLE untouched (id INTEGER PRIMARY KEY, v TEXT);
        INSERT INTO untouched VALUES (1, 'a'), (2, 'b');
        COMMIT;
      )sql"));
    }
    WritePlan(plan_, source_, target_, R"yaml(transform:
  customers:
    rename: clients
    filter: "active = 1"
    columns:
      email: {mask: hash}
      notes: {mask: null}
      ssn: {mask: fixed, value: "XXX-XX"}
      phone: {drop: true}
      name: {rename: full_name}
      balance: {cast: "decimal(10,2)"}
copy:
  chunk_rows: 1000
)yaml");
    RunResult copy = RunPeerlock({"copy", "--plan", plan_, "--state", state_});
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  }

  TempDir dir_;
  std::string source_, target_, plan_, state_;
};

TEST_F(VerifyTransforms, CopyAppliesEveryRuleAndVerifiesEqual) {
  // Sampled rows go through the same rules (filter included) as the digests.
  RunResult run =
      RunPeerlock({"verify", "--json", "--sample", "100", "--plan", plan_, "--state", state_});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  json verdict = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(verdict.is_discarded()) << run.out;
  EXPECT_EQ(verdict["equal"], true);
  bool found = false;
  for (const auto& t : verdict["tables"]) {
    if (t["table"] != "customers") continue;
    found = true;
    EXPECT_EQ(t["target_table"], "clients");
    EXPECT_EQ(t["source_rows"], 2000);  // the filtered rows only
    EXPECT_EQ(t["target_rows"], 2000);
    EXPECT_EQ(t["equal"], true);
    EXPECT_EQ(t["sampled"], 100);
  }
  EXPECT_TRUE(found) << verdict.dump(2);

  EXPECT_EQ(TableNames(target_), (std::vector<std::string>{"clients", "untouched"}));
  Db db(target_);
  std::vector<std::string> columns;
  for (const auto& row : db.Query("SELECT name FROM pragma_table_info('clients') ORDER BY cid"))
    columns.push_back(*row[0]);
  EXPECT_EQ(columns, (std::vector<std::string>{"id", "full_name", "email", "ssn", "notes",
                                               "balance", "active"}));
  // Filter: exactly the active rows, none of the others.
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients"), 2000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE id % 3 = 0"), 0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE active != 1"), 0);
  // Rename keeps the values.
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE full_name = 'name ' || id"), 2000);
  // Masks.
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE length(email) = 64 AND "
                   "email NOT GLOB '*[^0-9a-f]*'"),
            2000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE email LIKE '%@example.com'"), 0);
  EXPECT_EQ(db.Int("SELECT count(DISTINCT email) FROM clients"), 2000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE notes IS NOT NULL"), 0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE ssn = 'XXX-XX'"), 2000);
  // Cast: the text '7.07' arrives as the number 7.07.
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE typeof(balance) IN ('text', 'blob')"), 0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM clients WHERE abs(balance - (id + (id % 100) / 100.0)) "
                   "< 1e-9"),
            2000);
  // Nothing of the dropped or masked source values anywhere in the target file.
  std::string bytes = ReadFile(target_);
  EXPECT_EQ(bytes.find("+1-555-"), std::string::npos);
  EXPECT_EQ(bytes.find("@example.com"), std::string::npos);
  EXPECT_EQ(bytes.find("note 1"), std::string::npos);
}

TEST_F(VerifyTransforms, ChangeBehindAMaskIsStillFound) {
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("UPDATE clients SET email = 'x' WHERE id = 1000"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
    ASSERT_TRUE(db.Exec("UPDATE clients SET full_name = 'name 1001!' WHERE id = 1001"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult run = RunPeerlock({"verify", "--json", "--plan", plan_, "--state", state_});
  ASSERT_EQ(run.exit_code, 1) << run.Describe();
  json verdict = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(verdict.is_discarded()) << run.out;
  for (const auto& t : verdict["tables"]) {
    if (t["table"] == "untouched") {
      EXPECT_EQ(t["equal"], true);
      continue;
    }
    EXPECT_EQ(t["table"], "customers");
    EXPECT_EQ(t["difference_count"], 2) << t.dump(2);
    ASSERT_EQ(t["differences"].size(), 2u) << t.dump(2);
    json by_id = json::object();
    for (const auto& d : t["differences"]) {
      EXPECT_EQ(d["kind"], "changed");
      by_id[std::to_string(d["key"]["id"].get<int64_t>())] = d["columns"];
    }
    // Columns are named by their source names.
    EXPECT_EQ(by_id["1000"], json::array({"email"})) << t.dump(2);
    EXPECT_EQ(by_id["1001"], json::array({"name"})) << t.dump(2);
  }
}

}  // namespace
}  // namespace peerlock::scenario
