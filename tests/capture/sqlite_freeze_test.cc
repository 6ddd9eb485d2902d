// Cutover freeze of a SQLite file (SqliteSession::Freeze) against real files: a plain sqlite3
// connection (the application) is refused on the tables in scope, PeerLock's change apply
// still writes and leaves the file frozen, and the triggers never show in Introspect.

#include <sqlite3.h>

#include <algorithm>
#include <future>

#include "capture/freeze_support.h"
#include "capture/sqlite_capture_support.h"

namespace peerlock::freeze_test {
namespace {

using sqlite_capture_test::OpenSession;
using sqlite_capture_test::TempDir;
using std::chrono::milliseconds;

constexpr const char* kRefusal =
    "database frozen by PeerLock for a cutover: writes go to the new database";

// "" when `sql` succeeds on `db`, else the error text.
std::string Exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string error = rc == SQLITE_OK ? "" : (message ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return error;
}

class SqliteFreezeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("source.db");
    app_ = std::make_unique<sqlite_capture_test::Writer>(path_);
    app_->Run(
        "PRAGMA journal_mode = WAL;"
        "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT);"
        "CREATE TABLE u (id INTEGER PRIMARY KEY, note TEXT);"
        "CREATE TABLE outside (id INTEGER PRIMARY KEY, note TEXT);"
        "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN SELECT 1; END;"
        "INSERT INTO t VALUES (1, 'before'); INSERT INTO u VALUES (1, 'before')");
    ASSERT_OK_AND_ASSIGN(session_, OpenSession(path_, /*read_only=*/false));
  }

  FreezeOptions Scope(milliseconds grace = milliseconds(5000)) {
    return FreezeOptions{.tables = {"t", "u"}, .grace = grace};
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<sqlite_capture_test::Writer> app_;
  std::unique_ptr<Session> session_;
};

TEST_F(SqliteFreezeTest, RefusesApplicationWritesWhilePeerlockAppliesChanges) {
  ASSERT_OK_AND_ASSIGN(auto findings, session_->CheckFreeze(Scope()));
  EXPECT_TRUE(findings.empty()) << findings.front();
  ASSERT_OK_AND_ASSIGN(bool frozen, session_->Frozen(Scope()));
  EXPECT_FALSE(frozen);

  ASSERT_OK(session_->Freeze(Scope()));
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(Scope()));
  EXPECT_TRUE(frozen);
  for (const char* write : {"INSERT INTO t VALUES (2, 'x')", "UPDATE t SET note = 'x'",
                            "DELETE FROM t", "INSERT INTO u VALUES (2, 'x')"})
    EXPECT_EQ(Exec(app_->db(), write), kRefusal) << write;
  // A connection opened after the freeze is refused too; a table out of scope is not frozen.
  sqlite_capture_test::Writer late(path_);
  EXPECT_EQ(Exec(late.db(), "UPDATE u SET note = 'late'"), kRefusal);
  EXPECT_EQ(Exec(late.db(), "INSERT INTO outside VALUES (1, 'out of scope')"), "");

  // PeerLock's change apply writes into the frozen file, which stays frozen for everyone else.
  ASSERT_OK_AND_ASSIGN(auto apply, OpenSession(path_, /*read_only=*/false));
  ASSERT_OK(apply->ApplyChanges(UpsertOne("t", 2, "applied", "1")));
  ASSERT_OK(apply->ApplyChanges(UpsertOne("t", 1, "reapplied", "2")));
  EXPECT_EQ(app_->Int("SELECT count(*) FROM t WHERE note IN ('applied', 'reapplied')"), 2);
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(Scope()));
  EXPECT_TRUE(frozen);
  EXPECT_EQ(Exec(app_->db(), "INSERT INTO t VALUES (3, 'x')"), kRefusal);

  // PeerLock's triggers are not the user's.
  ASSERT_OK_AND_ASSIGN(Catalog catalog, session_->Introspect(false));
  std::vector<std::string> triggers;
  for (const auto& trigger : catalog.triggers) triggers.push_back(trigger.name);
  EXPECT_EQ(triggers, std::vector<std::string>{"t_audit"});

  ASSERT_OK(session_->Freeze(Scope()));  // twice
  ASSERT_OK(session_->Thaw(Scope()));
  ASSERT_OK(session_->Thaw(Scope()));  // twice
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(Scope()));
  EXPECT_FALSE(frozen);
  EXPECT_EQ(Exec(app_->db(), "INSERT INTO t VALUES (3, 'thawed')"), "");
  sqlite_capture_test::Writer after(path_);
  EXPECT_EQ(Exec(after.db(), "DELETE FROM u"), "");
}

// The write lock is taken within the grace: a writer in flight finishes first; one holding it
// longer makes the freeze fail, leaving nothing frozen.
TEST_F(SqliteFreezeTest, WaitsForAWriterInFlightUpToTheGrace) {
  ASSERT_EQ(Exec(app_->db(), "BEGIN IMMEDIATE; INSERT INTO t VALUES (2, 'in flight')"), "");
  auto failed = session_->Freeze(Scope(milliseconds(100)));
  ASSERT_FALSE(failed);
  EXPECT_PRED2(Contains, failed.error().ToString(), "locked");
  ASSERT_OK_AND_ASSIGN(bool frozen, session_->Frozen(Scope()));
  EXPECT_FALSE(frozen);

  auto freezing = std::async(std::launch::async,
                             [&] { return session_->Freeze(Scope(std::chrono::seconds(120))); });
  EXPECT_EQ(Exec(app_->db(), "COMMIT"), "");
  auto report = freezing.get();
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(app_->Int("SELECT count(*) FROM t WHERE id = 2"), 1);
  EXPECT_EQ(Exec(app_->db(), "INSERT INTO t VALUES (3, 'x')"), kRefusal);
}

TEST_F(SqliteFreezeTest, CheckFreezeNamesAReadOnlyFileAndMissingTables) {
  ASSERT_OK_AND_ASSIGN(auto reader, OpenSession(path_, /*read_only=*/true));
  FreezeOptions scope{.tables = {"t", "gone"}};
  ASSERT_OK_AND_ASSIGN(auto findings, reader->CheckFreeze(scope));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_PRED2(Contains, findings[0], "must be writable");
  EXPECT_PRED2(Contains, findings[1], "table gone is not in");
  auto failed = session_->Freeze(scope);
  ASSERT_FALSE(failed);
  EXPECT_PRED2(Contains, failed.error().ToString(), "table gone is not in");
  ASSERT_OK_AND_ASSIGN(bool frozen, session_->Frozen(scope));
  EXPECT_FALSE(frozen);  // all or nothing
}

}  // namespace
}  // namespace peerlock::freeze_test
