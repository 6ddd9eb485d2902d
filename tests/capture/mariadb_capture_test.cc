// MariaDB's half of `peerlock sync`, in-process against the throwaway MariaDB server: change
// capture from the binlog (preflight, the stream's transactions and values, resume, idle
// waits, DDL) and change apply (idempotent upserts and deletes by key with the position in the
// same transaction, foreign keys, statements split under max_allowed_packet).

#include <gtest/gtest.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/strings.h"
#include "connector/connector.h"
#include "connectors/mysql/mysql_connector.h"
#include "support/status_assertions.h"
#include "support/test_servers.h"

namespace peerlock {
namespace {

namespace ts = test_servers;
using std::chrono::milliseconds;

std::string Cell(const ValueView& v) {
  switch (v.kind) {
    case ValueKind::kNull: return "NULL";
    case ValueKind::kInt: return "i:" + std::to_string(v.i);
    case ValueKind::kFloat: {
      char buf[64];
      return "f:" + std::string(buf, std::to_chars(buf, buf + sizeof buf, v.f).ptr);
    }
    case ValueKind::kText: return "t:" + std::string(v.s);
    case ValueKind::kBytes: return "b:" + HexEncode(v.s);
  }
  return "?";
}

std::string RowText(const RowBatch& batch, size_t row) {
  std::vector<std::string> cells;
  for (int c = 0; c < batch.columns(); ++c) cells.push_back(Cell(batch.Get(row, c)));
  return Join(cells, "|");
}

// A transaction's changes as lines: "insert a i:1|t:x", "update a i:3|t:y from i:2",
// "delete a i:1", "truncate b".
std::vector<std::string> Lines(const ChangeTxn& txn, const CaptureSpec& spec) {
  std::vector<std::string> out;
  for (const auto& c : txn.changes) {
    const std::string& table = spec.tables[c.table].table;
    switch (c.kind) {
      case ChangeKind::kInsert:
        out.push_back("insert " + table + " " + RowText(txn.rows[c.table], c.new_row));
        break;
      case ChangeKind::kUpdate:
        out.push_back("update " + table + " " + RowText(txn.rows[c.table], c.new_row) +
                      (c.old_key >= 0 ? " from " + RowText(txn.old_keys[c.table], c.old_key) : ""));
        break;
      case ChangeKind::kDelete:
        out.push_back("delete " + table + " " + RowText(txn.old_keys[c.table], c.old_key));
        break;
      case ChangeKind::kTruncate: out.push_back("truncate " + table); break;
    }
  }
  return out;
}

class MariadbCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = ts::CreateMariadbDatabase(ts::TestDatabaseName());
    session_ = Connect(url_);
    ASSERT_NE(session_, nullptr);
  }

  std::unique_ptr<Session> Connect(const std::string& url, const std::string& user = "",
                                   const std::string& password = "") {
    auto endpoint = Endpoint::Parse(url);
    EXPECT_TRUE(endpoint.has_value());
    if (!endpoint) return nullptr;
    Endpoint e = *endpoint;
    if (!user.empty()) {
      auto other =
          Endpoint::Parse("mysql://" + user + "@127.0.0.1:" + std::to_string(ts::MariadbPort()) +
                          "/" + e.database());
      EXPECT_TRUE(other.has_value());
      if (!other) return nullptr;
      e = *other;
    }
    e.set_password(password.empty() ? ts::MariadbPassword() : password);
    auto session = connector_.Connect(e, SessionOptions{.create = true});
    EXPECT_TRUE(session.has_value()) << session.error().ToString();
    return session ? std::move(*session) : nullptr;
  }

  void Sql(const std::string& sql) {
    auto done = session_->Execute(sql);
    ASSERT_TRUE(done.has_value()) << sql << ": " << done.error().ToString();
  }

  // Creates tables a and b, starts capturing `spec` and opens its stream at the start.
  void StartTwoTables(const CaptureSpec& spec, std::unique_ptr<ChangeStream>* stream) {
    ASSERT_OK_AND_ASSIGN(auto handle, StartTwoTablesCapture(spec));
    ASSERT_OK_AND_ASSIGN(*stream, session_->OpenChangeStream(spec, handle->position()));
  }
  Result<std::unique_ptr<CaptureHandle>> StartTwoTablesCapture(const CaptureSpec& spec) {
    Sql("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
    Sql("CREATE TABLE b (id INT PRIMARY KEY, w INT)");
    return session_->StartCapture(spec);
  }

  // The next `count` transactions with changes, polling with a deadline.
  std::vector<ChangeTxn> Take(ChangeStream& stream, size_t count) {
    std::vector<ChangeTxn> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto next = stream.Next(milliseconds(200));
      EXPECT_TRUE(next.has_value()) << next.error().ToString();
      if (!next) break;
      if (*next && !(*next)->changes.empty()) out.push_back(std::move(**next));
    }
    EXPECT_EQ(out.size(), count);
    return out;
  }

  // Every row of `table` (columns in order), by key, as lines.
  std::vector<std::string> ReadAll(Session& session, const std::string& table,
                                   const std::vector<std::string>& columns,
                                   const std::vector<std::string>& key) {
    std::vector<std::string> out;
    auto source = session.Read(ReadSpec{
        .table = table, .columns = columns, .key = KeySpec{.columns = key}, .order_by_key = true});
    EXPECT_TRUE(source.has_value()) << source.error().ToString();
    if (!source) return out;
    RowBatch batch;
    while (true) {
      auto more = (*source)->Next(batch);
      EXPECT_TRUE(more.has_value());
      if (!more || !*more) break;
      for (size_t r = 0; r < batch.rows(); ++r) out.push_back(RowText(batch, r));
    }
    return out;
  }

  MysqlConnector connector_;
  std::string url_;
  std::unique_ptr<Session> session_;
};

// TableChanges without designated initialisers (its RowBatch members have explicit ctors).
TableChanges Changes(const std::string& table, std::vector<std::string> columns,
                     std::vector<std::string> key, bool truncate = false) {
  TableChanges tc;
  tc.table = table;
  tc.columns = std::move(columns);
  tc.key = std::move(key);
  tc.truncate = truncate;
  return tc;
}

CaptureSpec TwoTables() {
  return CaptureSpec{.name = "peerlock_test0001",
                     .tables = {CaptureTable{.table = "a", .columns = {"id", "v"}, .key = {"id"}},
                                CaptureTable{.table = "b", .columns = {"id", "w"}, .key = {"id"}}}};
}

TEST_F(MariadbCaptureTest, StreamsCommittedTransactionsWithValues) {
  Sql("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
  Sql("CREATE TABLE b (id INT PRIMARY KEY, w INT) ENGINE=InnoDB");
  Sql("CREATE TABLE other (id INT PRIMARY KEY)");
  CaptureSpec spec = TwoTables();
  ASSERT_OK_AND_ASSIGN(auto handle, session_->StartCapture(spec));
  EXPECT_EQ(handle->snapshot(), "");
  ASSERT_OK_AND_ASSIGN(auto stream, session_->OpenChangeStream(spec, handle->position()));

  Sql("INSERT INTO a VALUES (1, 'x'), (2, NULL)");
  Sql("INSERT INTO other VALUES (1)");  // not captured: no transaction for it
  Sql("UPDATE a SET v = 'y' WHERE id = 1");
  Sql("UPDATE a SET id = 3, v = 'moved' WHERE id = 2");
  Sql("DELETE FROM a WHERE id = 1");
  Sql("START TRANSACTION");
  Sql("INSERT INTO a VALUES (4, 'm')");
  Sql("INSERT INTO b VALUES (1, 10)");
  Sql("UPDATE b SET w = 11 WHERE id = 1");
  Sql("COMMIT");
  Sql("TRUNCATE TABLE b");

  auto txns = Take(*stream, 6);
  ASSERT_EQ(txns.size(), 6u);
  using Lines_ = std::vector<std::string>;
  EXPECT_EQ(Lines(txns[0], spec), (Lines_{"insert a i:1|t:x", "insert a i:2|NULL"}));
  EXPECT_EQ(Lines(txns[1], spec), (Lines_{"update a i:1|t:y"}));
  EXPECT_EQ(Lines(txns[2], spec), (Lines_{"update a i:3|t:moved from i:2"}));
  EXPECT_EQ(Lines(txns[3], spec), (Lines_{"delete a i:1"}));
  EXPECT_EQ(Lines(txns[4], spec),
            (Lines_{"insert a i:4|t:m", "insert b i:1|i:10", "update b i:1|i:11"}));
  EXPECT_EQ(Lines(txns[5], spec), (Lines_{"truncate b"}));
  for (size_t i = 0; i < txns.size(); ++i) {
    EXPECT_GT(txns[i].commit_time_us, 0);
    EXPECT_GT(txns[i].bytes, 0);
    if (i == 0) continue;
    EXPECT_EQ(stream->Reached(txns[i].position, txns[i - 1].position), true);
    EXPECT_EQ(stream->Reached(txns[i - 1].position, txns[i].position), false);
  }
  EXPECT_EQ(stream->Reached(txns[0].position, "2024-01-01 00:00:00"), std::nullopt);
  ASSERT_OK(stream->Confirm(txns.back().position));
  ASSERT_OK_AND_ASSIGN(CaptureLag lag, stream->Lag());
  EXPECT_GE(lag.bytes_behind, 0);
  EXPECT_GT(lag.retained_bytes, 0);
  ASSERT_OK(session_->DropCapture(spec));
}

TEST_F(MariadbCaptureTest, ResumesAfterAPositionWithExactlyTheRest) {
  Sql("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  Sql("CREATE TABLE b (id INT PRIMARY KEY, w INT)");
  CaptureSpec spec = TwoTables();
  ASSERT_OK_AND_ASSIGN(auto handle, session_->StartCapture(spec));
  for (int i = 1; i <= 4; ++i) Sql("INSERT INTO a VALUES (" + std::to_string(i) + ", 'r')");
  std::vector<ChangeTxn> first;
  {
    ASSERT_OK_AND_ASSIGN(auto stream, session_->OpenChangeStream(spec, handle->position()));
    first = Take(*stream, 4);
    ASSERT_EQ(first.size(), 4u);
  }
  ASSERT_OK_AND_ASSIGN(auto resumed, session_->OpenChangeStream(spec, first[1].position));
  auto rest = Take(*resumed, 2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(Lines(rest[0], spec), Lines(first[2], spec));
  EXPECT_EQ(Lines(rest[1], spec), Lines(first[3], spec));
  EXPECT_EQ(rest[1].position, first[3].position);
  // Nothing more: an idle source gives nullopt (or an empty progress marker), not a hang.
  auto idle = resumed->Next(milliseconds(300));
  ASSERT_TRUE(idle.has_value()) << idle.error().ToString();
  EXPECT_TRUE(!*idle || (*idle)->changes.empty());
}

TEST_F(MariadbCaptureTest, IdleNextReturnsNothing) {
  CaptureSpec spec = TwoTables();
  std::unique_ptr<ChangeStream> stream;
  ASSERT_NO_FATAL_FAILURE(StartTwoTables(spec, &stream));
  for (int i = 0; i < 3; ++i) {
    auto next = stream->Next(milliseconds(250));
    ASSERT_TRUE(next.has_value()) << next.error().ToString();
    EXPECT_TRUE(!*next || (*next)->changes.empty());
  }
}

TEST_F(MariadbCaptureTest, CapturedRowsEqualReadRowsForEveryType) {
  Sql("CREATE TABLE t (id BIGINT PRIMARY KEY, i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, "
      "u24 MEDIUMINT UNSIGNED, i32 INT, u32 INT UNSIGNED, u64 BIGINT UNSIGNED, "
      "flag TINYINT(1), d DECIMAL(20,6), d2 DECIMAL(5,2), d3 DECIMAL(4,4), f FLOAT, db DOUBLE, "
      "dt DATETIME(6), dt0 DATETIME, ts TIMESTAMP(3) NULL, dd DATE, tm TIME(6), tm0 TIME, "
      "yr YEAR, c CHAR(5), vc VARCHAR(300), tx TEXT, l1 VARCHAR(10) CHARACTER SET latin1, "
      "bn BINARY(4), vb VARBINARY(10), bl BLOB, js JSON, e ENUM('a','it''s','c'), "
      "st SET('x','y','z'), bt BIT(10), b1 BIT(1), g INT AS (id * 2) VIRTUAL, "
      "pt POINT NULL)");
  std::vector<std::string> columns = {"id", "i8",  "u8", "i16", "u24", "i32", "u32", "u64", "flag",
                                      "d",  "d2",  "d3", "f",   "db",  "dt",  "dt0", "ts",  "dd",
                                      "tm", "tm0", "yr", "c",   "vc",  "tx",  "l1",  "bn",  "vb",
                                      "bl", "js",  "e",  "st",  "bt",  "b1",  "pt"};
  CaptureSpec spec{.name = "peerlock_types01",
                   .tables = {CaptureTable{.table = "t", .columns = columns, .key = {"id"}}}};
  ASSERT_OK_AND_ASSIGN(auto handle, session_->StartCapture(spec));
  ASSERT_OK_AND_ASSIGN(auto stream, session_->OpenChangeStream(spec, handle->position()));
  Sql("INSERT INTO t (id, i8, u8, i16, u24, i32, u32, u64, flag, d, d2, d3, f, db, dt, dt0, ts, "
      "dd, tm, tm0, yr, c, vc, tx, l1, bn, vb, bl, js, e, st, bt, b1, pt) VALUES "
      "(1, -128, 255, -32768, 16777215, -2147483648, 4294967295, 18446744073709551615, 1, "
      "-12345678901234.500001, 0.5, -0.0001, 0.1, 0.30000000000000004, "
      "'2024-02-29 23:59:59.000001', '1999-12-31 01:02:03', '2038-01-19 03:14:07.999', "
      "'0001-01-01', '-838:59:59.000000', '123:45:06', 2024, 'ab', 'héllo 🎉', "
      "'multi\nline\ttext', 'café €', x'01020000', x'00ff', x'deadbeef', '{\"b\": [1, 2.5]}', "
      "'it''s', 'x,z', b'1000000001', b'1', ST_GeomFromText('POINT(1.5 -2)', 4326)), "
      "(2, NULL, 0, 0, 0, 0, 0, 9223372036854775807, 0, 0, -999.99, 0.9999, -3.4e38, -1e-300, "
      "'1000-01-01 00:00:00', '9999-12-31 23:59:59', '1970-01-01 00:00:01', '9999-12-31', "
      "'00:00:00.5', '-00:00:01', 1901, '', '', '', '', x'', x'', x'', 'null', 'a', '', b'0', "
      "b'0', NULL), "
      "(3, 127, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL)");
  Sql("UPDATE t SET vc = 'changed', d = 1 WHERE id = 2");
  auto txns = Take(*stream, 2);
  ASSERT_EQ(txns.size(), 2u);
  auto read = ReadAll(*session_, "t", columns, {"id"});
  ASSERT_EQ(read.size(), 3u);
  ASSERT_EQ(txns[0].rows[0].rows(), 3u);
  EXPECT_EQ(RowText(txns[0].rows[0], 0), read[0]);
  EXPECT_NE(read[0].find("SRID=4326;POINT(1.5 -2)"), std::string::npos) << read[0];
  EXPECT_EQ(RowText(txns[0].rows[0], 2), read[2]);
  ASSERT_EQ(txns[1].changes.size(), 1u);
  EXPECT_EQ(RowText(txns[1].rows[0], txns[1].changes[0].new_row), read[1]);

  // The same cells applied into an identical table land as the same values.
  std::string target_url = ts::CreateMariadbDatabase(ts::TestDatabaseName() + "_dst");
  auto target = Connect(target_url);
  ASSERT_NE(target, nullptr);
  ASSERT_OK_AND_ASSIGN(auto create, session_->Introspect(false));
  ASSERT_OK(target->Execute(create.tables.at(0).native_sql));
  TableChanges tc = Changes("t", columns, {"id"});
  tc.upserts = RowBatch(static_cast<int>(columns.size()));
  for (size_t r = 0; r < txns[0].rows[0].rows(); ++r)
    for (int c = 0; c < tc.upserts.columns(); ++c) tc.upserts.Add(txns[0].rows[0].Get(r, c));
  ASSERT_OK(
      target->ApplyChanges(ChangeSet{.stream = spec.name, .position = "x:1", .tables = {tc}}));
  auto landed = ReadAll(*target, "t", columns, {"id"});
  ASSERT_EQ(landed.size(), 3u);
  EXPECT_EQ(landed[0], read[0]);
  EXPECT_EQ(landed[2], read[2]);
}

TEST_F(MariadbCaptureTest, SchemaChangesStopTheStreamNamingTableAndStatement) {
  CaptureSpec spec = TwoTables();
  ASSERT_OK_AND_ASSIGN(auto handle, (StartTwoTablesCapture(spec)));
  ASSERT_OK_AND_ASSIGN(auto stream, session_->OpenChangeStream(spec, handle->position()));
  // A nullable column added at the end stops the stream before it, so that the engine can follow
  // it (kGainedColumnsNative); a stream whose spec has the column reads on through it.
  Sql("INSERT INTO a VALUES (7, 'before')");
  Sql("ALTER TABLE a ADD COLUMN extra INT NULL");
  Sql("INSERT INTO a VALUES (1, 'x', 5)");
  std::vector<std::string> seen;
  std::string applied;  // where a sync would reopen: after the last transaction delivered
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);;) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the ADD COLUMN did not stop it";
    auto next = stream->Next(milliseconds(200));
    if (next.has_value()) {
      if (*next && !(*next)->changes.empty()) {
        for (const auto& line : Lines(**next, spec)) seen.push_back(line);
        applied = (*next)->position;
      }
      continue;
    }
    EXPECT_EQ(next.error().native_code(), kGainedColumnsNative) << next.error().ToString();
    EXPECT_NE(next.error().message().find("table a gained column extra"), std::string::npos)
        << next.error().ToString();
    break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"insert a i:7|t:before"}));
  spec.tables[0].columns.push_back("extra");
  ASSERT_OK_AND_ASSIGN(stream, session_->OpenChangeStream(spec, applied));
  auto txns = Take(*stream, 1);
  ASSERT_EQ(txns.size(), 1u);
  EXPECT_EQ(Lines(txns[0], spec), (std::vector<std::string>{"insert a i:1|t:x|i:5"}));
  Sql("ALTER TABLE b MODIFY w BIGINT");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto next = stream->Next(milliseconds(200));
    if (next.has_value()) continue;
    EXPECT_EQ(next.error().code(), ErrorCode::kUnsupported);
    EXPECT_NE(next.error().message().find("table b"), std::string::npos) << next.error().ToString();
    EXPECT_NE(next.error().message().find("MODIFY w BIGINT"), std::string::npos);
    return;
  }
  ADD_FAILURE() << "the ALTER TABLE did not stop the stream";
}

TEST_F(MariadbCaptureTest, PreflightRefusesTablesWithoutPrimaryKeyAndUsersWithoutReplication) {
  Sql("CREATE TABLE nokey (id INT, v INT)");
  CaptureSpec spec{.name = "peerlock_nokey001",
                   .tables = {CaptureTable{.table = "nokey", .columns = {"id", "v"}, .key = {}}}};
  auto refused = session_->StartCapture(spec);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(refused.error().message().find("nokey has no primary key"), std::string::npos);

  Sql("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  Sql("CREATE TABLE b (id INT PRIMARY KEY, w INT)");
  std::string user = "plnorepl" + std::to_string(::getpid());
  Sql("DROP USER IF EXISTS '" + user + "'@'%'");
  Sql("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-" + user + "'");
  Sql("GRANT ALL ON `" + ts::TestDatabaseName() + "`.* TO '" + user + "'@'%'");
  Sql("GRANT BINLOG MONITOR ON *.* TO '" + user + "'@'%'");
  auto limited = Connect(url_, user, "pw-" + user);
  ASSERT_NE(limited, nullptr);
  auto denied = limited->StartCapture(TwoTables());
  Sql("DROP USER '" + user + "'@'%'");
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), ErrorCode::kBlocked);
  EXPECT_NE(denied.error().hint().find("GRANT REPLICATION SLAVE"), std::string::npos)
      << denied.error().ToString();
}

// A throwaway server of our own whose binlog_format we may change (never the shared one's).
TEST_F(MariadbCaptureTest, PreflightRefusesStatementBinlogFormat) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(__FILE__).parent_path().parent_path().parent_path();
  std::string dir = "/tmp/pl-capture-fmt-" + std::to_string(::getpid());
  // Without MYSQL_PWD: the script's own root client must not send the test server's password.
  auto started =
      ts::RunCommand({"env", "-u", "MYSQL_PWD", (root / "scripts/mariadb-server").string(), "start",
                      dir, "--fast", "--owner-pid", std::to_string(::getpid())});
  ASSERT_EQ(started.exit_code, 0) << started.Describe();
  struct Stop {
    std::string root, dir;
    ~Stop() { ts::RunCommand({root + "/scripts/mariadb-server", "stop", dir}); }
  } stop{root.string(), dir};
  std::string admin = Trim(started.out);
  std::string password = Trim(ts::RunCommand({"cat", dir + "/password"}).out);
  auto own = Connect(admin.substr(0, admin.rfind('/')) + "/mysql", "", password);
  ASSERT_NE(own, nullptr);
  ASSERT_OK(own->Execute("SET GLOBAL binlog_format = 'STATEMENT'"));
  ASSERT_OK(own->Execute("CREATE TABLE test_fmt (id INT PRIMARY KEY)"));
  auto fresh = Connect(admin, "", password);
  ASSERT_NE(fresh, nullptr);
  auto refused = fresh->StartCapture(
      CaptureSpec{.name = "peerlock_fmt00001",
                  .tables = {CaptureTable{.table = "test_fmt", .columns = {"id"}, .key = {"id"}}}});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(refused.error().message().find("binlog_format is STATEMENT"), std::string::npos)
      << refused.error().ToString();
  EXPECT_NE(refused.error().hint().find("SET GLOBAL binlog_format = 'ROW'"), std::string::npos);
}

RowBatch Rows(int columns, const std::vector<std::vector<OwnedValue>>& rows) {
  RowBatch batch(columns);
  for (const auto& row : rows)
    for (const auto& v : row) batch.Add(v.View());
  return batch;
}

OwnedValue I(int64_t v) { return OwnedValue{.kind = ValueKind::kInt, .i = v}; }
OwnedValue T(const std::string& v) { return OwnedValue{.kind = ValueKind::kText, .s = v}; }
OwnedValue Null() { return OwnedValue{}; }

TEST_F(MariadbCaptureTest, ApplyIsIdempotentAndRecordsItsPosition) {
  Sql("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20), n INT)");
  Sql("CREATE TABLE k2 (x INT, y VARCHAR(5), PRIMARY KEY (x, y))");
  Sql("CREATE TABLE gone (id INT PRIMARY KEY)");
  Sql("INSERT INTO a VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)");
  Sql("INSERT INTO k2 VALUES (1, 'a'), (2, 'b')");
  Sql("INSERT INTO gone VALUES (1), (2)");
  TableChanges a = Changes("a", {"id", "v", "n"}, {"id"});
  a.deletes = Rows(1, {{I(2)}, {I(99)}});
  a.upserts = Rows(3, {{I(1), T("uno"), Null()}, {I(4), T("four"), I(4)}});
  TableChanges::Patch patch;
  patch.row = Rows(3, {{I(3), Null(), I(33)}});
  patch.columns = {2};
  a.patches.push_back(std::move(patch));
  TableChanges k2 = Changes("k2", {"x", "y"}, {"x", "y"});
  k2.deletes = Rows(2, {{I(1), T("a")}});
  k2.upserts = Rows(2, {{I(2), T("b")}, {I(3), T("c")}});
  TableChanges gone = Changes("gone", {"id"}, {"id"}, true);
  gone.upserts = Rows(1, {{I(7)}});
  ChangeSet set{
      .stream = "peerlock_apply01", .position = "mariadb-bin.000001:1234", .tables = {a, k2, gone}};
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK(session_->ApplyChanges(set));
    EXPECT_EQ(ReadAll(*session_, "a", {"id", "v", "n"}, {"id"}),
              (std::vector<std::string>{"i:1|t:uno|NULL", "i:3|t:three|i:33", "i:4|t:four|i:4"}))
        << "round " << round;
    EXPECT_EQ(ReadAll(*session_, "k2", {"x", "y"}, {"x", "y"}),
              (std::vector<std::string>{"i:2|t:b", "i:3|t:c"}));
    EXPECT_EQ(ReadAll(*session_, "gone", {"id"}, {"id"}), (std::vector<std::string>{"i:7"}));
  }
  ASSERT_OK_AND_ASSIGN(auto applied, session_->AppliedPosition("peerlock_apply01"));
  EXPECT_EQ(applied, std::optional<std::string>("mariadb-bin.000001:1234"));
  ASSERT_OK_AND_ASSIGN(auto other, session_->AppliedPosition("peerlock_other"));
  EXPECT_EQ(other, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto catalog, session_->Introspect(false));
  for (const auto& t : catalog.tables) EXPECT_NE(t.name, "_peerlock_sync");
  ASSERT_OK(session_->ForgetAppliedPosition("peerlock_apply01"));
  ASSERT_OK_AND_ASSIGN(auto forgotten, session_->AppliedPosition("peerlock_apply01"));
  EXPECT_EQ(forgotten, std::nullopt);
}

TEST_F(MariadbCaptureTest, ApplyMovesAChildOffADeletedParentInOneSet) {
  Sql("CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB");
  Sql("CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, "
      "FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB");
  Sql("INSERT INTO parent VALUES (1), (2)");
  Sql("INSERT INTO child VALUES (10, 1)");
  TableChanges parent = Changes("parent", {"id"}, {"id"});
  parent.deletes = Rows(1, {{I(1)}});
  TableChanges child = Changes("child", {"id", "parent_id"}, {"id"});
  child.upserts = Rows(2, {{I(10), I(2)}});
  ASSERT_OK(session_->ApplyChanges(
      ChangeSet{.stream = "peerlock_fk", .position = "f:1", .tables = {parent, child}}));
  EXPECT_EQ(ReadAll(*session_, "parent", {"id"}, {"id"}), (std::vector<std::string>{"i:2"}));
  EXPECT_EQ(ReadAll(*session_, "child", {"id", "parent_id"}, {"id"}),
            (std::vector<std::string>{"i:10|i:2"}));
  ASSERT_OK_AND_ASSIGN(auto problems, session_->CheckForeignKeys());
  EXPECT_TRUE(problems.empty());
}

TEST_F(MariadbCaptureTest, ApplySplitsStatementsUnderMaxAllowedPacket) {
  Sql("CREATE TABLE big (id INT PRIMARY KEY, payload MEDIUMTEXT)");
  std::string payload(4000, 'p');
  TableChanges big = Changes("big", {"id", "payload"}, {"id"});
  big.upserts = RowBatch(2);
  const int rows = 6000;  // 24 MB of values: more than one 16 MB packet
  for (int i = 0; i < rows; ++i) {
    big.upserts.AddInt(i);
    big.upserts.AddText(payload);
  }
  big.deletes = Rows(1, {{I(-1)}});
  ASSERT_OK(session_->ApplyChanges(
      ChangeSet{.stream = "peerlock_big", .position = "f:2", .tables = {big}}));
  auto count =
      ts::RunMariadb(ts::TestDatabaseName(), "SELECT count(*), sum(length(payload)) FROM big");
  ASSERT_EQ(count.exit_code, 0) << count.Describe();
  EXPECT_EQ(Trim(count.out), std::to_string(rows) + "\t" + std::to_string(rows * 4000));
}

}  // namespace
}  // namespace peerlock
