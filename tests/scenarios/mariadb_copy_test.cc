// MariaDB as source and target, against the real binary and the throwaway MariaDB server:
// MariaDB -> SQLite, SQLite -> MariaDB and MariaDB -> MariaDB copy and verify equal; a changed
// value is named by verify; a copy killed mid-chunk resumes with every row exactly once; a
// wrong password or an unreachable host exit 3 with a clear message and no password printed.

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;
namespace ts = test_servers;

// A MariaDB shop: auto-increment keys, a foreign key, a composite key over case-insensitive
// text whose values differ only by case and trailing spaces, and a keyless table with
// duplicate rows.
constexpr const char* kShop = R"sql(
  CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(60) NOT NULL,
                          email VARCHAR(100), UNIQUE KEY customers_email (email));
  CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,
                       total DECIMAL(12,2), placed DATETIME(3), note TEXT,
                       CONSTRAINT orders_customer FOREIGN KEY (customer_id)
                         REFERENCES customers (id));
  CREATE TABLE regions (code VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, seq INT NOT NULL,
                        v VARCHAR(20), PRIMARY KEY (code, seq));
  CREATE TABLE audit (level INT, message VARCHAR(40));
  INSERT INTO customers (name, email)
    SELECT concat('customer ', seq, IF(seq % 7 = 0, ' 😀', '')),
           IF(seq % 9 = 0, NULL, concat('c', seq, '@x'))
    FROM seq_1_to_500;
  INSERT INTO orders (customer_id, total, placed, note)
    SELECT 1 + seq % 500, seq * 1.25,
           '2024-01-01 00:00:00' + INTERVAL seq MINUTE + INTERVAL 0.125 SECOND,
           IF(seq % 5 = 0, NULL, concat('note ', seq))
    FROM seq_1_to_3000;
  INSERT INTO regions VALUES ('eu', 1, 'a'), ('EU', 2, 'b'), ('eu ', 3, 'c'), ('ünï', 4, 'd');
  INSERT INTO audit SELECT seq % 3, concat('msg ', seq % 4) FROM seq_1_to_200;
)sql";

constexpr int64_t kShopRows = 500 + 3000 + 4 + 200;

class MariadbCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = ts::TestDatabaseName();
    target_database_ = database_.substr(0, 55) + "_target";
    url_ = ts::CreateMariadbDatabase(database_);
    target_url_ = ts::CreateMariadbDatabase(target_database_);
    sqlite_ = dir_.File("shop.db");
    plan_ = dir_.File("plan.yaml");
    state_ = dir_.File("state");
  }

  void Mariadb(const std::string& database, const std::string& sql) {
    ts::CommandResult r = ts::RunMariadb(database, sql);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  std::string MariadbOut(const std::string& database, const std::string& sql) {
    ts::CommandResult r = ts::RunMariadb(database, sql);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }

  // A plan between two URLs; MariaDB sides read the password from the test's variable.
  void Plan(const std::string& source, const std::string& target, const std::string& extra = "") {
    auto side = [](const std::string& url) {
      std::string out = "\n  url: \"" + url + "\"";
      if (url.starts_with("mysql:") || url.starts_with("mariadb:"))
        out += "\n  password_env: " + ts::MariadbPasswordEnvName();
      return out;
    };
    WriteFile(plan_, "version: 1\nsource:" + side(source) + "\ntarget:" + side(target) +
                         "\ncopy:\n  chunk_rows: 500\n  workers: 2\n" + extra);
  }
  RunResult Peerlock(const std::string& command, const std::vector<std::string>& extra = {},
                     const EnvList& env = {}) {
    std::vector<std::string> args = {command, "--plan", plan_, "--state", state_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPeerlock(args, env);
  }
  json VerifyJson(int expected_exit) {
    RunResult r = Peerlock("verify", {"--json"});
    EXPECT_EQ(r.exit_code, expected_exit) << r.Describe();
    return json::parse(r.out, nullptr, false);
  }

  TempDir dir_;
  std::string database_, target_database_, url_, target_url_, sqlite_, plan_, state_;
};

TEST_F(MariadbCopy, MariadbToSqliteVerifiesEqualAndNamesAChangedValue) {
  Mariadb(database_, kShop);
  Plan(url_, SqliteUrl(sqlite_));
  RunResult copy = Peerlock("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  json equal = VerifyJson(0);
  EXPECT_TRUE(equal["equal"].get<bool>()) << equal.dump(2);
  {
    Db db(sqlite_);
    EXPECT_EQ(db.Int("SELECT count(*) FROM orders") + db.Int("SELECT count(*) FROM customers") +
                  db.Int("SELECT count(*) FROM regions") + db.Int("SELECT count(*) FROM audit"),
              kShopRows);
    EXPECT_EQ(db.Text("SELECT group_concat(hex(code), ',') FROM (SELECT code FROM regions "
                      "ORDER BY seq)"),
              "6575,4555,657520,C3BC6EC3AF");
    EXPECT_EQ(db.Text("SELECT placed FROM orders WHERE id = 1"), "2024-01-01 00:01:00.125");
    db.Exec("UPDATE orders SET total = total + 0.01 WHERE id = 1234");
  }
  json diff = VerifyJson(1);
  ASSERT_FALSE(diff["equal"].get<bool>());
  bool named = false;
  for (const auto& t : diff["tables"])
    for (const auto& d : t["differences"])
      if (t["table"] == "orders" && d["kind"] == "changed" &&
          d["key"].dump().find("1234") != std::string::npos &&
          d["columns"].dump().find("total") != std::string::npos)
        named = true;
  EXPECT_TRUE(named) << diff.dump(2);
}

TEST_F(MariadbCopy, SqliteToMariadbVerifiesEqualAndNamesAChangedValue) {
  {
    Db db(sqlite_);
    ASSERT_TRUE(db.Exec(R"sql(
      BEGIN;
      CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents(id),
                         label TEXT, amount DECIMAL(12,2), weight REAL, data BLOB);
      CREATE INDEX kids_label ON kids (label);
      CREATE TABLE pairs (region TEXT NOT NULL, seq INTEGER NOT NULL, v TEXT,
                          PRIMARY KEY (region, seq));
      CREATE TABLE loose (a INTEGER, b TEXT);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 300)
      INSERT INTO parents SELECT x, 'parent ' || x FROM k;
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 4000)
      INSERT INTO kids SELECT x, 1 + x % 300, CASE WHEN x % 3 THEN 'label ' || (x % 50) END,
                              x * 0.25, x / 7.0, CAST(printf('b%d', x) AS BLOB) FROM k;
      INSERT INTO pairs VALUES ('eu', 1, 'a'), ('EU', 1, 'b'), ('eu ', 1, 'c'), ('ünï', 2, 'd');
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 100)
      INSERT INTO loose SELECT x % 4, 'v' || (x % 4) FROM k;
      COMMIT;
    )sql"));
  }
  Plan(SqliteUrl(sqlite_), target_url_);
  RunResult copy = Peerlock("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  json equal = VerifyJson(0);
  EXPECT_TRUE(equal["equal"].get<bool>()) << equal.dump(2);
  EXPECT_EQ(MariadbOut(target_database_,
                       "SELECT count(*), sum(id), count(label), count(DISTINCT data) FROM kids"),
            "4000\t8002000\t2667\t4000\n");
  EXPECT_EQ(MariadbOut(target_database_, "SELECT count(*) FROM pairs"), "4\n");
  EXPECT_EQ(MariadbOut(target_database_,
                       "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME = '_peerlock_chunks'"),
            "0\n");
  Mariadb(target_database_, "UPDATE kids SET label = 'edited' WHERE id = 77");
  json diff = VerifyJson(1);
  ASSERT_FALSE(diff["equal"].get<bool>());
  EXPECT_NE(diff.dump().find("\"label\""), std::string::npos) << diff.dump(2);
  EXPECT_NE(diff.dump().find("77"), std::string::npos) << diff.dump(2);
}

TEST_F(MariadbCopy, MariadbToMariadbKeepsDefinitionsAndCounters) {
  Mariadb(database_, kShop);
  Plan(url_, "mariadb://peerlock@127.0.0.1:" + std::to_string(ts::MariadbPort()) + "/" +
                 target_database_);
  RunResult copy = Peerlock("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  json equal = VerifyJson(0);
  EXPECT_TRUE(equal["equal"].get<bool>()) << equal.dump(2);
  for (const char* table : {"customers", "orders", "regions", "audit"}) {
    std::string sql = std::string("SHOW CREATE TABLE ") + table;
    EXPECT_EQ(MariadbOut(target_database_, sql), MariadbOut(database_, sql)) << table;
  }
  std::string rows =
      "SELECT count(*), sum(total), max(placed), sum(crc32(coalesce(note, '-'))) "
      "FROM orders";
  EXPECT_EQ(MariadbOut(target_database_, rows), MariadbOut(database_, rows));
  Mariadb(target_database_, "DELETE FROM audit LIMIT 1");
  json diff = VerifyJson(1);
  EXPECT_FALSE(diff["equal"].get<bool>());
}

TEST_F(MariadbCopy, KilledCopyFromMariadbResumesExactlyOnce) {
  Mariadb(database_, kShop);
  Plan(url_, SqliteUrl(sqlite_));
  RunResult killed = Peerlock("copy", {}, {{"PEERLOCK_FAULT", "copy.row_inserted:1700"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  RunResult resumed = Peerlock("copy", {"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  Db db(sqlite_);
  EXPECT_EQ(db.Int("SELECT count(*) FROM orders"), 3000);
  EXPECT_EQ(db.Int("SELECT count(DISTINCT id) FROM orders"), 3000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM audit"), 200);
  EXPECT_EQ(db.Int("SELECT count(*) FROM sqlite_schema WHERE name = '_peerlock_chunks'"), 0);
  json equal = VerifyJson(0);
  EXPECT_TRUE(equal["equal"].get<bool>()) << equal.dump(2);
}

TEST_F(MariadbCopy, KilledCopyIntoMariadbResumesExactlyOnce) {
  {
    Db db(sqlite_);
    ASSERT_TRUE(db.Exec(R"sql(
      BEGIN;
      CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, n INTEGER, payload BLOB);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 20000)
      INSERT INTO events SELECT x * 3 - 1000, 'kind ' || (x % 11), CASE WHEN x % 7 THEN x * x END,
                                CAST(printf('p%d', x) AS BLOB) FROM k;
      CREATE TABLE logs (level INTEGER, message TEXT);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 3000)
      INSERT INTO logs SELECT x % 5, CASE WHEN x % 13 THEN 'msg ' || (x % 40) END FROM k;
      COMMIT;
    )sql"));
  }
  Plan(SqliteUrl(sqlite_), target_url_);
  // Mid-transaction inside LOAD DATA, then between a chunk's commit and its state record.
  // One writer, so the fault's row count says exactly which chunks are in.
  RunResult killed =
      Peerlock("copy", {"--workers", "1"}, {{"PEERLOCK_FAULT", "copy.row_inserted:5250"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  // Ten whole chunks of 500 committed (tables load in dependency order), the eleventh rolled back.
  EXPECT_EQ(MariadbOut(target_database_,
                       "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM logs)"),
            "5000\n");
  killed = Peerlock("copy", {"--resume"}, {{"PEERLOCK_FAULT", "copy.chunk_committed:7"}});
  ASSERT_EQ(killed.exit_code, -SIGKILL) << killed.Describe();
  RunResult resumed = Peerlock("copy", {"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  EXPECT_EQ(MariadbOut(target_database_, "SELECT count(*), count(DISTINCT id) FROM events"),
            "20000\t20000\n");
  EXPECT_EQ(MariadbOut(target_database_, "SELECT count(*) FROM logs"), "3000\n");
  EXPECT_EQ(MariadbOut(target_database_,
                       "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME = '_peerlock_chunks'"),
            "0\n");
  json equal = VerifyJson(0);
  EXPECT_TRUE(equal["equal"].get<bool>()) << equal.dump(2);
}

TEST_F(MariadbCopy, WrongPasswordAndUnreachableHostExit3WithoutThePassword) {
  Mariadb(database_, "CREATE TABLE t (id INT PRIMARY KEY)");
  std::string port = std::to_string(ts::MariadbPort());
  const std::string wrong = "Wr0ngPassw0rd";
  RunResult denied =
      RunPeerlock({"inventory", "--source",
                   "mysql://peerlock:" + wrong + "@127.0.0.1:" + port + "/" + database_, "--target",
                   SqliteUrl(sqlite_), "--state", state_});
  EXPECT_EQ(denied.exit_code, 3) << denied.Describe();
  EXPECT_NE(denied.err.find("peerlock"), std::string::npos) << denied.Describe();
  EXPECT_NE(denied.err.find("password"), std::string::npos) << denied.Describe();
  EXPECT_EQ(denied.out.find(wrong) + denied.err.find(wrong), 2 * std::string::npos)
      << denied.Describe();

  // The real password through password_env, but the wrong user: still no secret printed.
  Plan("mysql://nobody@127.0.0.1:" + port + "/" + database_, SqliteUrl(sqlite_));
  RunResult nobody = Peerlock("inventory");
  EXPECT_EQ(nobody.exit_code, 3) << nobody.Describe();
  EXPECT_NE(nobody.err.find("nobody"), std::string::npos) << nobody.Describe();
  EXPECT_NE(nobody.err.find("password_env"), std::string::npos) << nobody.Describe();
  const std::string real = ts::MariadbPassword();
  EXPECT_EQ(nobody.out.find(real) + nobody.err.find(real), 2 * std::string::npos);

  RunResult unreachable =
      RunPeerlock({"inventory", "--source", "mysql://peerlock:" + wrong + "@127.0.0.1:1/db",
                   "--target", SqliteUrl(sqlite_), "--state", state_});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.Describe();
  EXPECT_NE(unreachable.err.find("127.0.0.1:1"), std::string::npos) << unreachable.Describe();
  EXPECT_EQ(unreachable.err.find(wrong), std::string::npos) << unreachable.Describe();
}

}  // namespace
}  // namespace peerlock::scenario
