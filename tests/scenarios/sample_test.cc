// `peerlock copy --sample` with the real binary on SQLite: the subset keeps every foreign key
// valid (children follow their sampled parents), verifies equal, and is the checklist's
// proof-of-concept evidence.
#include <gtest/gtest.h>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

int64_t Count(Db& db, const std::string& sql) {
  auto rows = db.Query(sql);
  return rows.empty() || !rows[0][0] ? -1 : std::stoll(*rows[0][0]);
}

TEST(Sample, KeepsEveryForeignKeyValidAndTicksTheProofOfConcept) {
  TempDir dir;
  std::string source = dir.File("legacy.db"), staging = dir.File("staging.db");
  {
    Db db(source);
    ASSERT_TRUE(
        db.Exec("PRAGMA foreign_keys = ON;"
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
                "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);"
                "CREATE TABLE orders (id INTEGER PRIMARY KEY,"
                " customer_id INTEGER REFERENCES customers(id), note TEXT);"
                "CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES "
                "orders(id), product_id INTEGER REFERENCES products(id));"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
                " INSERT INTO customers SELECT i, 'c' || i FROM n;"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
                " INSERT INTO products SELECT i, 'p' || i FROM n;"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                " INSERT INTO orders SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE 1 + i % 400 END,"
                " 'o' FROM n;"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
                " INSERT INTO items SELECT i, 1 + i % 2000, 1 + i % 50 FROM n;"));
  }
  std::string plan = dir.File("peerlock.yaml");
  WriteFile(plan, "source: {url: \"sqlite://" + source + "\"}\ntarget: {url: \"sqlite://" +
                      dir.File("new.db") + "\"}\n");
  RunResult run =
      RunPeerlock({"copy", "--plan", plan, "--sample", "10%", "--into", "sqlite://" + staging});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("verify equal, 0 foreign-key problem(s)"), std::string::npos) << run.out;
  EXPECT_FALSE(FileExists(dir.File("new.db"))) << "the sample went to the real target";

  Db db(staging);
  // Roots are sampled by key (id % 100 < 10); children follow.
  EXPECT_EQ(Count(db, "SELECT count(*) FROM customers"), 40);
  EXPECT_EQ(Count(db, "SELECT count(*) FROM products"), 9);  // ids 1..9 of 1..50
  int64_t orders = Count(db, "SELECT count(*) FROM orders");
  EXPECT_GT(orders, 0);
  EXPECT_LT(orders, 2000);
  EXPECT_GT(Count(db, "SELECT count(*) FROM orders WHERE customer_id IS NULL"), 0);
  // Every reference resolves, checked by SQLite itself and by hand.
  EXPECT_TRUE(db.Query("PRAGMA foreign_key_check").empty());
  EXPECT_EQ(Count(db,
                  "SELECT count(*) FROM orders o WHERE customer_id IS NOT NULL AND NOT "
                  "EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)"),
            0);
  EXPECT_EQ(Count(db,
                  "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM orders o "
                  "WHERE o.id = i.order_id) OR NOT EXISTS (SELECT 1 FROM products p WHERE "
                  "p.id = i.product_id)"),
            0);
  // And every child row whose parents were sampled came along.
  Db legacy(source);
  EXPECT_EQ(Count(db, "SELECT count(*) FROM items"),
            Count(legacy,
                  "SELECT count(*) FROM items i JOIN orders o ON o.id = i.order_id WHERE "
                  "(o.customer_id IS NULL OR o.customer_id % 100 < 10) AND "
                  "i.product_id % 100 < 10"));

  RunResult status = RunPeerlock({"status", "--plan", plan});
  EXPECT_NE(status.out.find("[x] proof of concept passed"), std::string::npos) << status.out;
}

TEST(Sample, RejectsWhatIsNotAPercentage) {
  TempDir dir;
  RunResult run =
      RunPeerlock({"copy", "--sample", "lots", "--source", "sqlite://" + dir.File("a.db"),
                   "--target", "sqlite://" + dir.File("b.db")});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("is not a percentage"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace peerlock::scenario
