#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "connectors/sqlite/sqlite_connector.h"
#include "connectors/sqlite/sqlite_session.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;

// The inventory's scan of a SQLite file: exact row counts and the values stored in a class
// their column's declared type does not suggest, whether the scan is split in rowid ranges over
// connections of its own (a large rowid table) or done whole (small, WITHOUT ROWID, or inside
// a snapshot, which other connections cannot see).
class SqliteIntrospect : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "peerlock-introspect-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    SqliteConnector connector;  // as in peerlock itself: built before any database opens
    auto url = Endpoint::Parse("sqlite://" + dir_ + "/legacy.db");
    ASSERT_TRUE(url);
    endpoint_ = *url;
    auto writer = SqliteSession::Open(endpoint_, SessionOptions{.create = true});
    ASSERT_TRUE(writer) << writer.error().message();
    ASSERT_TRUE((*writer)->Execute(
        "PRAGMA journal_mode = WAL;"  // a writer commits while the snapshot test reads
        "CREATE TABLE big (id INTEGER PRIMARY KEY, n INTEGER, t TEXT);"
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 300000) "
        "INSERT INTO big SELECT i, i * 2, 'row ' || i FROM g;"
        // Off-type values at both ends and in the middle: every range must count its own.
        "UPDATE big SET n = 'abc' WHERE id IN (5, 299000);"
        "UPDATE big SET t = x'00ff' WHERE id = 150001;"
        "DELETE FROM big WHERE id BETWEEN 100000 AND 100009;"
        "CREATE TABLE small (k TEXT PRIMARY KEY, v REAL) WITHOUT ROWID;"
        "INSERT INTO small VALUES ('a', 1.5), ('b', 'not a number'), ('c', NULL);"));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void ExpectCounts(const Catalog& catalog) {
    ASSERT_EQ(catalog.tables.size(), 2u);
    const Table& big = catalog.tables[0];
    ASSERT_EQ(big.name, "big");
    EXPECT_EQ(big.rows, 299990);
    ASSERT_EQ(big.columns.size(), 3u);
    EXPECT_EQ(big.columns[0].off_type_values, 0);
    EXPECT_EQ(big.columns[1].off_type_values, 2);
    EXPECT_EQ(big.columns[2].off_type_values, 1);
    const Table& small = catalog.tables[1];
    EXPECT_EQ(small.rows, 3);
    EXPECT_EQ(small.columns[1].off_type_values, 1);
  }

  std::string dir_;
  Endpoint endpoint_;
};

TEST_F(SqliteIntrospect, CountsEveryRowAndOffTypeValueOnce) {
  auto reader = SqliteSession::Open(endpoint_, SessionOptions{.read_only = true});
  ASSERT_TRUE(reader) << reader.error().message();
  auto catalog = (*reader)->Introspect(/*count_rows=*/true);
  ASSERT_TRUE(catalog) << catalog.error().message();
  ExpectCounts(*catalog);
}

TEST_F(SqliteIntrospect, InsideASnapshotCountsWhatTheSnapshotSees) {
  auto reader = SqliteSession::Open(endpoint_, SessionOptions{.read_only = true});
  ASSERT_TRUE(reader) << reader.error().message();
  ASSERT_TRUE((*reader)->BeginSnapshot());
  {  // committed after the snapshot began: not counted
    auto writer = SqliteSession::Open(endpoint_, SessionOptions{});
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->Execute("INSERT INTO big VALUES (400000, 'late', 'x')"));
  }
  auto catalog = (*reader)->Introspect(/*count_rows=*/true);
  ASSERT_TRUE(catalog) << catalog.error().message();
  ExpectCounts(*catalog);
}

}  // namespace
}  // namespace peerlock
