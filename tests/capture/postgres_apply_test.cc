// PostgresSession::ApplyChanges (the `peerlock sync` apply into PostgreSQL) against the throwaway
// cluster. A batch's few rows go as literal statements in one round trip, many through COPY and
// staging tables: both paths must land every type exactly as PostgreSQL itself stores the same
// values, delete and patch by simple and composite keys, be idempotent, and leave nothing (not
// even the position) behind when a value is refused.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "connector/connector.h"
#include "connectors/postgres/postgres_connector.h"
#include "support/status_assertions.h"
#include "support/test_servers.h"

namespace peerlock {
namespace {

namespace ts = test_servers;

// Every column kind the apply encodes differently, with the values that break naive quoting.
constexpr char kColumns[] =
    "id bigint PRIMARY KEY, i2 smallint, i4 integer, num numeric(30,10), f4 real, "
    "f8 double precision, ok boolean, txt text, vc varchar(12), ch char(3), raw bytea, d date, "
    "ts timestamp, tstz timestamptz, tm time, span interval, u uuid, js json, jb jsonb, "
    "ints integer[], words text[], addr inet";
const std::vector<std::string> kColumnNames = {
    "id", "i2", "i4",   "num", "f4",   "f8", "ok", "txt", "vc",   "ch",    "raw",
    "d",  "ts", "tstz", "tm",  "span", "u",  "js", "jb",  "ints", "words", "addr"};
constexpr char kValues[] =
    "(1, -32768, 2147483647, -12345678901234567890.0123456789, 3.25, 'NaN', true, "
    "E'it''s a \\\\ back\\tslash\\nand ünïcödé', 'quote''d', 'ab', E'\\\\x00ff275c', "
    "'0001-01-01', '1999-12-31 23:59:59.999999', '2024-02-29 12:00:00+05:30', '23:59:59', "
    "'1 year -2 days 03:04:05', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
    "'{\"k\": [1, \"x\\\"y\"]}', '{\"b\": null, \"a\": 1.50}', '{1,NULL,-3}', "
    "'{\"a b\",\"c\\\"d\",NULL,\"\"}', '192.168.0.1/24'), "
    "(2, 0, 0, 0, '-Infinity', -1e-300, false, '', '', '', '', '2000-01-01', "
    "'2000-01-01 00:00:00', '1970-01-01 00:00:00+00', '00:00:00', '0 seconds', "
    "'00000000-0000-0000-0000-000000000000', '[]', '{}', '{}', '{}', '::1'), "
    "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

class PostgresApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = ts::CreatePgDatabase(ts::TestDatabaseName());
    for (const char* table : {"expected", "small", "big"})
      Sql(std::string("CREATE TABLE ") + table + " (" + kColumns + ")");
    Sql(std::string("INSERT INTO expected VALUES ") + kValues);
    Sql("CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b))");
    Sql("INSERT INTO pair VALUES (1, 'x''y', 1), (2, 'z', 2)");
    auto endpoint = Endpoint::Parse(url_);
    ASSERT_TRUE(endpoint.has_value());
    ASSERT_OK_AND_ASSIGN(session_, PostgresConnector().Connect(*endpoint, SessionOptions{}));
  }

  std::string Sql(const std::string& sql) {
    ts::CommandResult r = ts::RunPsql(url_, sql);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }
  // The rows of `table` with id below 1000 as PostgreSQL prints them, in key order.
  std::string Rows(const std::string& table) {
    return Sql("SELECT string_agg(t::text, E'\\n' ORDER BY id) FROM " + table +
               " t WHERE id < 1000");
  }
  // The rows of `expected` as the PostgreSQL reader hands them to a sync.
  RowBatch ExpectedCells() {
    RowBatch out(static_cast<int>(kColumnNames.size()));
    auto reader = session_->Read(ReadSpec{.table = "expected",
                                          .columns = kColumnNames,
                                          .key = KeySpec{.columns = {"id"}},
                                          .order_by_key = true});
    EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
    if (!reader) return out;
    RowBatch batch;
    for (;;) {
      auto more = (*reader)->Next(batch);
      EXPECT_TRUE(more.has_value());
      if (!more || !*more) break;
      for (size_t r = 0; r < batch.rows(); ++r)
        for (int c = 0; c < batch.columns(); ++c) out.Add(batch.Get(r, c));
    }
    return out;
  }
  static TableChanges Changes(const std::string& table, const std::vector<std::string>& columns,
                              const std::vector<std::string>& key) {
    TableChanges t;
    t.table = table;
    t.columns = columns;
    t.key = key;
    return t;
  }
  static TableChanges Upserts(const std::string& table, RowBatch rows) {
    TableChanges t = Changes(table, kColumnNames, {"id"});
    t.upserts = std::move(rows);
    return t;
  }

  std::string url_;
  std::unique_ptr<Session> session_;
};

TEST_F(PostgresApplyTest, FewRowsAndManyLandEveryTypeAsPostgresStoresIt) {
  RowBatch cells = ExpectedCells();
  ASSERT_EQ(cells.rows(), 3u);
  // Past the literal path's limit: the same three rows and 600 more go through staging.
  RowBatch many = cells;
  for (int64_t id = 1000; id < 1600; ++id) {
    many.AddInt(id);
    for (size_t c = 1; c < kColumnNames.size(); ++c) many.AddNull();
  }
  ChangeSet set{.stream = "peerlock_apply_types",
                .position = "0/1",
                .tables = {Upserts("small", cells), Upserts("big", many)}};
  for (int round = 0; round < 2; ++round) {  // applying twice changes nothing
    ASSERT_OK(session_->ApplyChanges(set));
    const std::string expected = Rows("expected");
    ASSERT_NE(expected.find("ünïcödé"), std::string::npos) << expected;
    EXPECT_EQ(Rows("small"), expected) << "round " << round;
    EXPECT_EQ(Rows("big"), expected) << "round " << round;
    EXPECT_EQ(Sql("SELECT count(*) FROM big"), "603\n");
  }
  ASSERT_OK_AND_ASSIGN(auto applied, session_->AppliedPosition("peerlock_apply_types"));
  EXPECT_EQ(applied, std::optional<std::string>("0/1"));
}

TEST_F(PostgresApplyTest, DeletesAndPatchesBySimpleAndCompositeKeysInOneRoundTrip) {
  ASSERT_OK(session_->ApplyChanges(ChangeSet{.stream = "peerlock_apply_keys",
                                             .position = "0/1",
                                             .tables = {Upserts("small", ExpectedCells())}}));
  // Row 2 loses its text, row 3 gets one (only those columns: the rest stays as it is).
  TableChanges small = Changes("small", kColumnNames, {"id"});
  small.deletes = RowBatch(1);
  small.deletes.AddInt(1);
  small.deletes.AddInt(99);  // never copied: nothing to delete
  for (auto [id, text] : {std::pair<int64_t, const char*>{2, "pat'ched\\"}, {3, nullptr}}) {
    TableChanges::Patch patch;
    patch.row = RowBatch(static_cast<int>(kColumnNames.size()));
    patch.columns = {7};
    for (size_t c = 0; c < kColumnNames.size(); ++c) {
      if (c == 0) {
        patch.row.AddInt(id);
      } else if (c == 7 && text) {
        patch.row.AddText(text);
      } else {
        patch.row.AddNull();
      }
    }
    small.patches.push_back(std::move(patch));
  }
  TableChanges pair = Changes("pair", {"a", "b", "v"}, {"a", "b"});
  pair.deletes = RowBatch(2);
  pair.deletes.AddInt(1);
  pair.deletes.AddText("x'y");
  pair.upserts = RowBatch(3);
  for (auto [a, b, v] : {std::tuple<int64_t, const char*, int64_t>{2, "z", 20}, {3, "w", 3}}) {
    pair.upserts.AddInt(a);
    pair.upserts.AddText(b);
    pair.upserts.AddInt(v);
  }
  ASSERT_OK(session_->ApplyChanges(
      ChangeSet{.stream = "peerlock_apply_keys", .position = "0/2", .tables = {small, pair}}));
  Sql("DELETE FROM expected WHERE id = 1; UPDATE expected SET txt = E'pat''ched\\\\' WHERE id = 2;"
      "UPDATE expected SET txt = NULL WHERE id = 3");
  EXPECT_EQ(Rows("small"), Rows("expected"));
  EXPECT_EQ(Sql("SELECT string_agg(a || b || v, ',' ORDER BY a) FROM pair"), "2z20,3w3\n");
}

TEST_F(PostgresApplyTest, ARefusedValueLeavesNothingApplied) {
  ASSERT_OK(session_->ApplyChanges(ChangeSet{.stream = "peerlock_apply_refused",
                                             .position = "0/1",
                                             .tables = {Upserts("small", ExpectedCells())}}));
  const std::string before = Rows("small");
  TableChanges gone = Changes("small", kColumnNames, {"id"});
  gone.deletes = RowBatch(1);
  gone.deletes.AddInt(2);
  TableChanges bad = Changes("pair", {"a", "b", "v"}, {"a", "b"});
  bad.upserts = RowBatch(3);
  bad.upserts.AddInt(9);
  bad.upserts.AddText(std::string("n\0l", 3));
  bad.upserts.AddInt(9);
  auto st = session_->ApplyChanges(
      ChangeSet{.stream = "peerlock_apply_refused", .position = "0/2", .tables = {gone, bad}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(st.error().message().find("table pair, column b"), std::string::npos)
      << st.error().ToString();
  EXPECT_EQ(Rows("small"), before);  // the delete before it in the batch did not happen
  ASSERT_OK_AND_ASSIGN(auto applied, session_->AppliedPosition("peerlock_apply_refused"));
  EXPECT_EQ(applied, std::optional<std::string>("0/1"));
  // A key the table refuses (an error from the server, mid-batch) is rolled back too.
  TableChanges clash = Changes("pair", {"a", "b", "v"}, {"a", "b"});
  clash.upserts = RowBatch(3);
  clash.upserts.AddInt(5);
  clash.upserts.AddNull();  // b is part of the key: NOT NULL
  clash.upserts.AddInt(5);
  auto refused = session_->ApplyChanges(
      ChangeSet{.stream = "peerlock_apply_refused", .position = "0/3", .tables = {gone, clash}});
  ASSERT_FALSE(refused);
  // Named by what it was doing, not by its SQL (which carries the rows' values).
  EXPECT_NE(refused.error().message().find("applying a batch of changes to tables small, pair"),
            std::string::npos)
      << refused.error().ToString();
  EXPECT_EQ(refused.error().message().find("BEGIN"), std::string::npos)
      << refused.error().ToString();
  EXPECT_EQ(Rows("small"), before);
  ASSERT_OK_AND_ASSIGN(applied, session_->AppliedPosition("peerlock_apply_refused"));
  EXPECT_EQ(applied, std::optional<std::string>("0/1"));
  // The session still applies afterwards.
  ASSERT_OK(session_->ApplyChanges(
      ChangeSet{.stream = "peerlock_apply_refused", .position = "0/4", .tables = {gone}}));
  EXPECT_EQ(Sql("SELECT count(*) FROM small"), "2\n");
}

}  // namespace
}  // namespace peerlock
