#include "connectors/sqlite/sqlite_demo_shop.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <string>

namespace peerlock {
namespace {

namespace fs = std::filesystem;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

Db OpenReadOnly(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK) << path;
  return Db(db);
}

// Runs `sql` and returns every value of every row as "type:value" lines, blobs in hex: a dump
// exact enough to tell NULL from '' and REAL 1.0 from INTEGER 1.
std::string Dump(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
  std::string out;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt.get()); ++i) {
      switch (sqlite3_column_type(stmt.get(), i)) {
        case SQLITE_NULL: out += "null"; break;
        case SQLITE_INTEGER:
          out += "i:" + std::to_string(sqlite3_column_int64(stmt.get(), i));
          break;
        case SQLITE_FLOAT: {
          char buf[40];
          std::snprintf(buf, sizeof buf, "f:%.17g", sqlite3_column_double(stmt.get(), i));
          out += buf;
          break;
        }
        case SQLITE_TEXT:
          out += "t:";
          out.append(reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), i)),
                     sqlite3_column_bytes(stmt.get(), i));
          break;
        default: {
          out += "b:";
          const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(stmt.get(), i));
          for (int b = 0; b < sqlite3_column_bytes(stmt.get(), i); ++b) {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02x", bytes[b]);
            out += hex;
          }
        }
      }
      out += '|';
    }
    out += '\n';
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  return out;
}

int64_t Scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
  EXPECT_EQ(sqlite3_step(stmt.get()), SQLITE_ROW) << sql;
  return sqlite3_column_int64(stmt.get(), 0);
}

class DemoShop : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "peerlock-demo-shop-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // a leftover temp dir must not fail the test
  }
  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

constexpr DemoShopOptions kSmall{.scale = 0.01};

TEST_F(DemoShop, RowCountsMatchSummaryAndScale) {
  const std::string path = PathOf("shop.db");
  auto summary = CreateDemoShop(path, kSmall);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();

  const std::map<std::string, int64_t> expected = {{"customers", 1000}, {"products", 100},
                                                   {"orders", 2500},    {"order_items", 4500},
                                                   {"payments", 1500},  {"audit_events", 500}};
  ASSERT_EQ(summary->table_rows.size(), expected.size());
  Db db = OpenReadOnly(path);
  int64_t total = 0;
  for (const auto& [table, rows] : summary->table_rows) {
    EXPECT_EQ(rows, expected.at(table)) << table;
    EXPECT_EQ(Scalar(db.get(), "SELECT count(*) FROM " + table), rows) << table;
    total += rows;
  }
  EXPECT_EQ(summary->total_rows, total);
  EXPECT_EQ(total, 10100);
}

TEST_F(DemoShop, TinyScaleKeepsOneRowPerTable) {
  const std::string path = PathOf("tiny.db");
  auto summary = CreateDemoShop(path, {.scale = 1e-9});
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  Db db = OpenReadOnly(path);
  for (const auto& [table, rows] : summary->table_rows) {
    EXPECT_EQ(rows, 1) << table;
    EXPECT_EQ(Scalar(db.get(), "SELECT count(*) FROM " + table), 1) << table;
  }
  EXPECT_EQ(Dump(db.get(), "PRAGMA foreign_key_check"), "");
}

TEST_F(DemoShop, ForeignKeysAndSchemaObjectsAreConsistent) {
  const std::string path = PathOf("shop.db");
  ASSERT_TRUE(CreateDemoShop(path, kSmall).has_value());
  Db db = OpenReadOnly(path);
  EXPECT_EQ(Dump(db.get(), "PRAGMA foreign_key_check"), "");
  EXPECT_EQ(Dump(db.get(), "PRAGMA integrity_check"), "t:ok|\n");
  EXPECT_EQ(Dump(db.get(),
                 "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger') OR "
                 "(type = 'index' AND sql IS NOT NULL) ORDER BY name"),
            "t:view|t:customer_totals|\n"
            "t:index|t:idx_orders_customer_id|\n"
            "t:index|t:idx_payments_order_id|\n"
            "t:trigger|t:orders_cancelled_is_final|\n");
  // Each order's total is the sum of its lines, in cents.
  EXPECT_EQ(Scalar(db.get(),
                   "SELECT count(*) FROM orders o WHERE round(o.total * 100) <> "
                   "(SELECT coalesce(sum(round(quantity * unit_price * 100)), 0) "
                   " FROM order_items i WHERE i.order_id = o.id)"),
            0);
  EXPECT_EQ(Scalar(db.get(), "SELECT count(*) FROM customer_totals"), 1000);
}

TEST_F(DemoShop, SameSeedGivesSameRowsOtherSeedDiffers) {
  const std::string a = PathOf("a.db"), b = PathOf("b.db"), c = PathOf("c.db");
  ASSERT_TRUE(CreateDemoShop(a, kSmall).has_value());
  ASSERT_TRUE(CreateDemoShop(b, kSmall).has_value());
  ASSERT_TRUE(CreateDemoShop(c, {.scale = 0.01, .seed = 7}).has_value());
  Db da = OpenReadOnly(a), db = OpenReadOnly(b), dc = OpenReadOnly(c);
  for (const char* table :
       {"customers", "products", "orders", "order_items", "payments", "audit_events"}) {
    const std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY rowid";
    const std::string dump = Dump(da.get(), sql);
    EXPECT_EQ(dump, Dump(db.get(), sql)) << table;
    EXPECT_NE(dump, Dump(dc.get(), sql)) << table;
  }
  const std::string schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name";
  EXPECT_EQ(Dump(da.get(), schema), Dump(db.get(), schema));
}

TEST_F(DemoShop, EdgeValuesArePresent) {
  const std::string path = PathOf("shop.db");
  ASSERT_TRUE(CreateDemoShop(path, kSmall).has_value());
  Db db = OpenReadOnly(path);
  auto count = [&](const std::string& sql) { return Scalar(db.get(), sql); };

  EXPECT_GT(count("SELECT count(*) FROM customers WHERE instr(name, '🦄') > 0"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE instr(name, char(0x301)) > 0"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE instr(name, '王') > 0"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE instr(name, '''') > 0"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE notes IS NULL"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE notes = ''"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE notes = 'NULL'"), 0);
  EXPECT_GT(count("SELECT count(*) FROM customers WHERE email IS NULL"), 1);  // UNIQUE allows it
  const int64_t customers = count("SELECT count(*) FROM customers");
  const int64_t no_phone = count("SELECT count(*) FROM customers WHERE phone IS NULL");
  EXPECT_NEAR(static_cast<double>(no_phone) / static_cast<double>(customers), 0.2, 0.05);

  EXPECT_GT(count("SELECT count(*) FROM products WHERE instr(image, x'00') > 0"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM products WHERE typeof(image) = 'blob' AND "
                  "length(image) = 0"),
            1);
  EXPECT_GT(count("SELECT count(*) FROM products WHERE image IS NULL"), 0);
  // NUMERIC affinity: whole prices land as INTEGER, the rest as REAL.
  EXPECT_GT(count("SELECT count(*) FROM products WHERE typeof(price) = 'integer'"), 0);
  EXPECT_GT(count("SELECT count(*) FROM products WHERE typeof(price) = 'real'"), 0);

  sqlite3_stmt* raw = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT weight_kg FROM products WHERE id = 1", -1, &raw,
                               nullptr),
            SQLITE_OK);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
  ASSERT_EQ(sqlite3_step(stmt.get()), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_double(stmt.get(), 0), 0.1 + 0.2);  // 0.30000000000000004, not 0.3

  EXPECT_EQ(count("SELECT min(reference_number) FROM payments"),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(count("SELECT max(reference_number) FROM payments"),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(count("SELECT count(*) FROM payments WHERE reference_number = 9007199254740993"), 1);
  EXPECT_GT(count("SELECT count(*) FROM payments WHERE paid_at LIKE '%.______'"), 0);

  EXPECT_GT(count("SELECT count(*) FROM (SELECT 1 FROM audit_events GROUP BY at, actor, action, "
                  "payload HAVING count(*) > 1)"),
            0);
  EXPECT_GT(count("SELECT count(*) FROM audit_events WHERE instr(payload, x'00') > 0"), 0);
}

TEST_F(DemoShop, OverwritesAnExistingFile) {
  const std::string path = PathOf("shop.db");
  std::ofstream(path) << "not a database";
  std::ofstream(path + "-journal") << "a stale journal";
  auto summary = CreateDemoShop(path, {.scale = 0.001});
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_FALSE(fs::exists(path + "-journal"));
  Db db = OpenReadOnly(path);
  EXPECT_EQ(Scalar(db.get(), "SELECT count(*) FROM customers"), 100);
}

TEST_F(DemoShop, ReportsFileProblemsWithPath) {
  const std::string path = PathOf("missing-dir/shop.db");
  auto summary = CreateDemoShop(path, kSmall);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), ErrorCode::kIo);
  EXPECT_NE(summary.error().message().find(path), std::string::npos) << summary.error().message();
  EXPECT_NE(summary.error().message().find("unable to open"), std::string::npos)
      << summary.error().message();
}

TEST_F(DemoShop, RefusesToReplaceADirectory) {
  fs::create_directory(dir_ / "shop.db");
  auto summary = CreateDemoShop(PathOf("shop.db"), kSmall);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), ErrorCode::kIo);
  EXPECT_TRUE(fs::is_directory(dir_ / "shop.db"));
}

TEST_F(DemoShop, RejectsBadScale) {
  for (double scale : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), 1e6}) {
    auto summary = CreateDemoShop(PathOf("shop.db"), {.scale = scale});
    ASSERT_FALSE(summary.has_value()) << scale;
    EXPECT_EQ(summary.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace peerlock
