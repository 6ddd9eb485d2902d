// Change capture from a SQLite source (connectors/sqlite/sqlite_capture.h and
// sqlite_change_stream.h) against real files: an application connection writes, the stream
// reads, and every assertion is on what the stream delivered.

#include <thread>

#include "capture/sqlite_capture_support.h"

namespace peerlock::sqlite_capture_test {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSchema = R"SQL(
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);
CREATE TABLE vals (k TEXT PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, n);
CREATE TABLE anykey (k PRIMARY KEY, v);
CREATE TABLE pair (a INTEGER, b TEXT, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE keyless (x, y);
)SQL";

class SqliteCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("source.db");
    writer_ = std::make_unique<Writer>(path_);
    writer_->Run(kSchema);
    auto source = OpenSession(path_, /*read_only=*/true);
    ASSERT_TRUE(source) << source.error().ToString();
    source_ = std::move(*source);
    auto spec = SpecFor(*source_, {"parent", "child", "vals", "anykey", "pair"});
    ASSERT_TRUE(spec) << spec.error().ToString();
    spec_ = *spec;
  }

  // The changes of the next transaction, or a failure when none is there.
  std::vector<std::string> NextChanges(ChangeStream& stream, std::string* position = nullptr) {
    auto txn = stream.Next(milliseconds(0));
    EXPECT_TRUE(txn) << txn.error().ToString();
    if (!txn || !*txn) {
      ADD_FAILURE() << "no transaction in the stream";
      return {};
    }
    if (position) *position = (*txn)->position;
    return RenderChanges(spec_, **txn);
  }

  // Starts the capture and opens its stream at the start.
  std::unique_ptr<ChangeStream> Follow() {
    auto handle = source_->StartCapture(spec_);
    EXPECT_TRUE(handle) << handle.error().ToString();
    if (!handle) return nullptr;
    auto stream = source_->OpenChangeStream(spec_, (*handle)->position());
    EXPECT_TRUE(stream) << stream.error().ToString();
    return stream ? std::move(*stream) : nullptr;
  }

  static void ExpectIdle(ChangeStream& stream, milliseconds wait = milliseconds(0)) {
    auto none = stream.Next(wait);
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_FALSE(*none);
  }

  int64_t Objects(const std::string& like) {
    return writer_->Int("SELECT count(*) FROM sqlite_schema WHERE name LIKE '" + like + "'");
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Session> source_;
  CaptureSpec spec_;
};

TEST_F(SqliteCaptureTest, StartsAtTheChangelogEndAndIsIdempotent) {
  writer_->Run("INSERT INTO parent VALUES (1, 'before')");
  ASSERT_OK_AND_ASSIGN(auto handle, source_->StartCapture(spec_));
  EXPECT_EQ(handle->position(), "0");
  EXPECT_EQ(handle->snapshot(), "");  // SQLite cannot share a read point
  ASSERT_OK(handle->ReleaseSnapshot());
  EXPECT_EQ(Objects("\\_peerlock\\_0badcafe\\_%' ESCAPE '\\"), 5 * 3 + 1);  // triggers + log

  writer_->Run("INSERT INTO parent VALUES (2, 'after')");
  ASSERT_OK_AND_ASSIGN(auto again, source_->StartCapture(spec_));
  EXPECT_EQ(again->position(), "0");  // the recorded start, not the changelog's end
  EXPECT_EQ(Objects("\\_peerlock\\_0badcafe\\_%' ESCAPE '\\"), 5 * 3 + 1);

  // Copy and verify never see the capture's objects.
  ASSERT_OK_AND_ASSIGN(Catalog catalog, source_->Introspect(false));
  for (const auto& t : catalog.tables) EXPECT_FALSE(StartsWith(t.name, "_peerlock")) << t.name;
  EXPECT_TRUE(catalog.triggers.empty());
  EXPECT_EQ(catalog.tables.size(), 6u);
}

TEST_F(SqliteCaptureTest, InsertsUpdatesKeyChangesAndDeletes) {
  auto stream = Follow();
  ASSERT_TRUE(stream);

  writer_->Run("INSERT INTO parent VALUES (1, 'one'), (2, 'two')");
  EXPECT_EQ(NextChanges(*stream), (std::vector<std::string>{"parent insert (i:1, t:'one')",
                                                            "parent insert (i:2, t:'two')"}));
  writer_->Run("UPDATE parent SET name = 'uno' WHERE id = 1");
  EXPECT_EQ(NextChanges(*stream), (std::vector<std::string>{"parent update (i:1, t:'uno')"}));
  writer_->Run("UPDATE parent SET id = 3, name = 'tres' WHERE id = 2");
  EXPECT_EQ(NextChanges(*stream),
            (std::vector<std::string>{"parent delete key (i:2)", "parent update (i:3, t:'tres')"}));
  writer_->Run("UPDATE pair SET a = a");  // no rows: nothing recorded
  writer_->Run("DELETE FROM parent WHERE id = 1");
  EXPECT_EQ(NextChanges(*stream), (std::vector<std::string>{"parent delete key (i:1)"}));
  writer_->Run("INSERT INTO pair VALUES (1, 'x', 'v1'); UPDATE pair SET b = 'y' WHERE a = 1");
  // Two autocommit statements, read in one poll: net effect per key.
  EXPECT_EQ(NextChanges(*stream), (std::vector<std::string>{"pair delete key (i:1, t:'x')",
                                                            "pair update (i:1, t:'y', t:'v1')"}));
  ExpectIdle(*stream);
}

TEST_F(SqliteCaptureTest, OneTransactionAcrossTablesIsOneChangeTxn) {
  auto stream = Follow();
  ASSERT_TRUE(stream);
  writer_->Run(
      "BEGIN; INSERT INTO parent VALUES (1, 'p'); INSERT INTO child VALUES (10, 1, 'c');"
      "INSERT INTO pair VALUES (5, 'k', NULL); COMMIT");
  std::string position;
  EXPECT_EQ(
      NextChanges(*stream, &position),
      (std::vector<std::string>{"parent insert (i:1, t:'p')", "child insert (i:10, i:1, t:'c')",
                                "pair insert (i:5, t:'k', null)"}));
  EXPECT_EQ(position, "3");

  // A rolled-back transaction leaves nothing.
  writer_->Run("BEGIN; INSERT INTO parent VALUES (2, 'gone'); DELETE FROM child; ROLLBACK");
  ExpectIdle(*stream);
}

TEST_F(SqliteCaptureTest, EveryStorageClassEqualsWhatTheCopyReads) {
  auto stream = Follow();
  ASSERT_TRUE(stream);
  // Values bound as an application would, including text and blobs holding NUL bytes.
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(writer_->db(), "INSERT INTO vals VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               -1, &insert, nullptr),
            SQLITE_OK);
  const std::string nul_text("a\0b", 3), nul_blob("\0\x01\xff\0", 4);
  struct Row {
    std::string key;
    int64_t i;
    double r;
    std::string t, b;
    bool null_n;
  };
  std::vector<Row> rows = {
      {"", INT64_MIN, -0.0, "", "", true},
      {nul_text, INT64_MAX, 0.1, "héllo ✓", nul_blob, false},
      {"k3", 9007199254740993, 1e308, nul_text, std::string(1, '\0'), true},
  };
  for (const auto& row : rows) {
    sqlite3_bind_text(insert, 1, row.key.data(), static_cast<int>(row.key.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert, 2, row.i);
    sqlite3_bind_double(insert, 3, row.r);
    sqlite3_bind_text(insert, 4, row.t.data(), static_cast<int>(row.t.size()), SQLITE_STATIC);
    if (row.b.empty())
      sqlite3_bind_zeroblob(insert, 5, 0);
    else
      sqlite3_bind_blob(insert, 5, row.b.data(), static_cast<int>(row.b.size()), SQLITE_STATIC);
    if (row.null_n)
      sqlite3_bind_null(insert, 6);
    else
      sqlite3_bind_double(insert, 6, 2.5);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(writer_->db());
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  writer_->Run(
      "INSERT INTO anykey VALUES (9223372036854775807, 'int'), (2.5, 'real'), ('2.5', 'text'),"
      "(X'00FF00', 'blob')");

  ASSERT_OK_AND_ASSIGN(auto txn, stream->Next(milliseconds(0)));
  ASSERT_TRUE(txn);
  std::vector<std::string> streamed_vals, streamed_anykey;
  for (const auto& c : txn->changes) {
    ASSERT_EQ(c.kind, ChangeKind::kInsert);
    auto& out = spec_.tables[c.table].table == "vals" ? streamed_vals : streamed_anykey;
    out.push_back(RenderRow(txn->rows[c.table], c.new_row));
  }
  const CaptureTable& vals = spec_.tables[2];
  const CaptureTable& anykey = spec_.tables[3];
  ASSERT_OK_AND_ASSIGN(auto read_vals, ReadAll(*source_, "vals", vals.columns, vals.key));
  ASSERT_OK_AND_ASSIGN(auto read_anykey, ReadAll(*source_, "anykey", anykey.columns, anykey.key));
  std::sort(streamed_vals.begin(), streamed_vals.end());
  std::sort(read_vals.begin(), read_vals.end());
  std::sort(streamed_anykey.begin(), streamed_anykey.end());
  std::sort(read_anykey.begin(), read_anykey.end());
  EXPECT_EQ(streamed_vals, read_vals);
  EXPECT_EQ(streamed_anykey, read_anykey);
  EXPECT_EQ(read_vals.size(), 3u);
  EXPECT_EQ(read_anykey.size(), 4u);

  // Deleted keys come back in their exact storage class too.
  writer_->Run("DELETE FROM anykey; DELETE FROM vals");
  ASSERT_OK_AND_ASSIGN(auto deleted, stream->Next(milliseconds(0)));
  ASSERT_TRUE(deleted);
  std::vector<std::string> keys;
  for (const auto& c : deleted->changes) {
    ASSERT_EQ(c.kind, ChangeKind::kDelete);
    keys.push_back(RenderRow(deleted->old_keys[c.table], c.old_key));
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"(b:x00ff00)", "(f:2.5)", "(i:9223372036854775807)",
                                            "(t:'')", "(t:'2.5')", "(t:'a\\x00b')", "(t:'k3')"}));
}

TEST_F(SqliteCaptureTest, ResumesFromAMidPositionWithExactlyTheRest) {
  ASSERT_OK_AND_ASSIGN(auto handle, source_->StartCapture(spec_));
  writer_->Run("INSERT INTO parent VALUES (1, 'a')");
  ASSERT_OK_AND_ASSIGN(auto first, source_->OpenChangeStream(spec_, handle->position()));
  std::string mid;
  NextChanges(*first, &mid);
  writer_->Run("UPDATE parent SET name = 'b' WHERE id = 1");
  writer_->Run("INSERT INTO child VALUES (7, 1, 'x')");
  std::string end;
  auto rest = NextChanges(*first, &end);
  ASSERT_EQ(rest.size(), 2u);
  // Caught up: what the stream received is the source's newest entry.
  ASSERT_OK_AND_ASSIGN(std::string current, source_->CurrentPosition());
  ASSERT_OK_AND_ASSIGN(std::string received, first->Received());
  EXPECT_EQ(current, end);
  EXPECT_EQ(received, end);

  ASSERT_OK_AND_ASSIGN(auto resumed, source_->OpenChangeStream(spec_, mid));
  std::string resumed_end;
  EXPECT_EQ(NextChanges(*resumed, &resumed_end), rest);
  EXPECT_EQ(resumed_end, end);
  ASSERT_OK_AND_ASSIGN(auto at_end, source_->OpenChangeStream(spec_, end));
  ExpectIdle(*at_end);
  EXPECT_EQ(resumed->Reached(end, mid), std::optional<bool>(true));
  EXPECT_EQ(resumed->Reached(mid, end), std::optional<bool>(false));
  EXPECT_EQ(resumed->Reached(end, "2030-01-01 00:00:00"), std::nullopt);
  auto bad = source_->OpenChangeStream(spec_, "0/16B3748");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteCaptureTest, ConfirmTrimsTheChangelogAndLagFollows) {
  auto stream = Follow();
  ASSERT_TRUE(stream);
  const std::string log = "\"_peerlock_0badcafe_changelog\"";
  for (int i = 1; i <= 5; ++i)
    writer_->Run("INSERT INTO parent VALUES (" + std::to_string(i) + ", 'x')");
  ASSERT_OK_AND_ASSIGN(CaptureLag before, stream->Lag());
  EXPECT_GT(before.bytes_behind, 5 * 24);
  EXPECT_EQ(before.retained_bytes, before.bytes_behind);

  std::string position;
  EXPECT_EQ(NextChanges(*stream, &position).size(), 5u);
  ASSERT_OK_AND_ASSIGN(CaptureLag read, stream->Lag());
  EXPECT_EQ(read.bytes_behind, 0);
  EXPECT_EQ(read.retained_bytes, before.retained_bytes);
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM " + log), 5);

  ASSERT_OK(stream->Confirm(position));
  // Only the newest row stays, so sequence numbers are never handed out again.
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM " + log), 1);
  ASSERT_OK_AND_ASSIGN(CaptureLag confirmed, stream->Lag());
  EXPECT_LT(confirmed.retained_bytes, before.retained_bytes / 4);
  writer_->Run("DELETE FROM parent WHERE id = 5");
  std::string after;
  EXPECT_EQ(NextChanges(*stream, &after), (std::vector<std::string>{"parent delete key (i:5)"}));
  EXPECT_EQ(stream->Reached(after, position), std::optional<bool>(true));
  EXPECT_NE(after, position);
}

// The application's writes come first: while it holds the write lock, Confirm returns at once
// and the trim happens on a later call.
TEST_F(SqliteCaptureTest, ConfirmDoesNotWaitForTheApplicationsWriteLock) {
  auto stream = Follow();
  ASSERT_TRUE(stream);
  const std::string log = "\"_peerlock_0badcafe_changelog\"";
  writer_->Run("INSERT INTO parent VALUES (1, 'a'), (2, 'b')");
  std::string position;
  EXPECT_EQ(NextChanges(*stream, &position).size(), 2u);
  writer_->Run("BEGIN IMMEDIATE; INSERT INTO parent VALUES (3, 'c')");
  ASSERT_OK(stream->Confirm(position));
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM " + log + " WHERE seq <= " + position), 2);
  writer_->Run("COMMIT");
  EXPECT_EQ(NextChanges(*stream).size(), 1u);
  ExpectIdle(*stream);  // an idle call catches up on the trim
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM " + log + " WHERE seq <= " + position), 0);
}

TEST_F(SqliteCaptureTest, IdleNextReturnsNothingAndWakesOnACommit) {
  auto stream = Follow();
  ASSERT_TRUE(stream);
  for (int wait : {0, 30}) ExpectIdle(*stream, milliseconds(wait));
  // A commit from another connection while Next waits is delivered by that same call.
  std::thread later([&] {
    Writer other(path_);
    other.Run("INSERT INTO parent VALUES (42, 'late')");
  });
  ASSERT_OK_AND_ASSIGN(auto txn, stream->Next(milliseconds(60000)));
  later.join();
  ASSERT_TRUE(txn);
  EXPECT_EQ(RenderChanges(spec_, *txn),
            (std::vector<std::string>{"parent insert (i:42, t:'late')"}));
}

TEST_F(SqliteCaptureTest, DropCaptureLeavesNothingBehind) {
  const int64_t objects = writer_->Int("SELECT count(*) FROM sqlite_schema");
  ASSERT_OK_AND_ASSIGN(auto handle, source_->StartCapture(spec_));
  writer_->Run("INSERT INTO parent VALUES (1, 'x')");
  ASSERT_OK(source_->DropCapture(spec_));
  EXPECT_EQ(Objects("%peerlock%"), 0);
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM sqlite_schema"), objects);
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'"), 0);
  writer_->Run("INSERT INTO parent VALUES (2, 'y')");  // the application carries on
  ASSERT_OK(source_->DropCapture(spec_));              // nothing left to remove
  auto stream = source_->OpenChangeStream(spec_, "0");
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteCaptureTest, RefusesATableWithoutAKeyAndCreatesNothing) {
  ASSERT_OK_AND_ASSIGN(CaptureSpec spec, SpecFor(*source_, {"parent", "keyless"}));
  auto handle = source_->StartCapture(spec);
  ASSERT_FALSE(handle);
  EXPECT_EQ(handle.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(handle.error().message().find("keyless"), std::string::npos);
  EXPECT_NE(handle.error().hint().find("primary key"), std::string::npos);
  EXPECT_EQ(Objects("%peerlock%"), 0);
}

TEST_F(SqliteCaptureTest, SchemaChangesStopTheStreamNamingTheTable) {
  auto handle = source_->StartCapture(spec_);
  ASSERT_TRUE(handle) << handle.error().ToString();
  auto opened = source_->OpenChangeStream(spec_, (*handle)->position());
  ASSERT_TRUE(opened) << opened.error().ToString();
  std::unique_ptr<ChangeStream> stream = std::move(*opened);
  // A column added: the stream stops before reading on, so that the engine can follow it
  // (kGainedColumnsNative); a stream whose spec has the column reads the rows with it.
  writer_->Run("ALTER TABLE parent ADD COLUMN extra INTEGER");
  writer_->Run("INSERT INTO parent VALUES (1, 'x', 5)");
  auto gained = stream->Next(milliseconds(0));
  ASSERT_FALSE(gained);
  EXPECT_EQ(gained.error().native_code(), kGainedColumnsNative) << gained.error().ToString();
  EXPECT_NE(gained.error().message().find("parent gained column extra"), std::string::npos)
      << gained.error().ToString();
  spec_.tables[0].columns.push_back("extra");
  opened = source_->OpenChangeStream(spec_, (*handle)->position());
  ASSERT_TRUE(opened) << opened.error().ToString();
  stream = std::move(*opened);
  EXPECT_EQ(NextChanges(*stream), (std::vector<std::string>{"parent insert (i:1, t:'x', i:5)"}));
  writer_->Run("ALTER TABLE child DROP COLUMN note");
  auto failed = stream->Next(milliseconds(0));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(failed.error().message().find("child has no column note"), std::string::npos)
      << failed.error().ToString();
  EXPECT_NE(failed.error().message().find("CREATE TABLE child"), std::string::npos);
}

}  // namespace
}  // namespace peerlock::sqlite_capture_test
