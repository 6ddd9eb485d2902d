// Change apply into a SQLite target (connectors/sqlite/sqlite_apply.h) against real files, and
// a SQLite -> SQLite round trip through capture and apply that must end with equal tables.

#include <cmath>

#include "capture/sqlite_capture_support.h"

namespace peerlock::sqlite_capture_test {
namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id),
                    note TEXT);
CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT UNIQUE, a, b);
CREATE TABLE anykey (k PRIMARY KEY, v);
CREATE TABLE audit (what TEXT);
CREATE TRIGGER parent_audit AFTER INSERT ON parent BEGIN INSERT INTO audit VALUES ('p'); END;
)SQL";

RowBatch Rows(int columns, const std::vector<std::vector<ValueView>>& rows) {
  RowBatch batch(columns);
  for (const auto& row : rows)
    for (const auto& v : row) batch.Add(v);
  return batch;
}
ValueView I(int64_t i) { return ValueView{.kind = ValueKind::kInt, .i = i}; }
ValueView F(double f) { return ValueView{.kind = ValueKind::kFloat, .f = f}; }
ValueView T(std::string_view s) { return ValueView{.kind = ValueKind::kText, .s = s}; }
ValueView B(std::string_view s) { return ValueView{.kind = ValueKind::kBytes, .s = s}; }
ValueView Null() { return ValueView{}; }

using Cells = std::vector<std::vector<ValueView>>;
TableChanges Changes(const std::string& table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key, const Cells& deletes,
                     const Cells& upserts) {
  TableChanges t;
  t.table = table;
  t.columns = columns;
  t.key = key;
  t.deletes = Rows(static_cast<int>(key.size()), deletes);
  t.upserts = Rows(static_cast<int>(columns.size()), upserts);
  return t;
}

class SqliteApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("target.db");
    writer_ = std::make_unique<Writer>(path_);
    writer_->Run(kSchema);
    writer_->Run(
        "INSERT INTO parent VALUES (1, 'a'), (2, 'b'); INSERT INTO child VALUES (10, 1, 'c');"
        "DELETE FROM audit");
    auto target = OpenSession(path_, /*read_only=*/false);
    ASSERT_TRUE(target) << target.error().ToString();
    target_ = std::move(*target);
  }

  std::vector<std::string> Table(const std::string& table,
                                 const std::vector<std::string>& columns) {
    auto rows = ReadAll(*target_, table, columns, {columns[0]});
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows ? *rows : std::vector<std::string>();
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Session> target_;
};

// A child moved off a parent deleted in the same set, with the foreign key declared and the
// session's enforcement switched on: the set applies (the source already checked it), twice.
TEST_F(SqliteApplyTest, AppliesAChildMovedOffADeletedParentTwiceWithTheSameResult) {
  ChangeSet set{.stream = "peerlock_0badcafe", .position = "7"};
  set.tables.push_back(
      Changes("parent", {"id", "name"}, {"id"}, {{I(1)}}, {{I(2), T("B")}, {I(3), T("c")}}));
  set.tables.push_back(
      Changes("child", {"id", "parent_id", "note"}, {"id"}, {}, {{I(10), I(2), T("moved")}}));
  ASSERT_OK(target_->Execute("PRAGMA foreign_keys = ON"));
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK(target_->ApplyChanges(set));
    EXPECT_EQ(Table("parent", {"id", "name"}),
              (std::vector<std::string>{"(i:2, t:'B')", "(i:3, t:'c')"}));
    EXPECT_EQ(Table("child", {"id", "parent_id", "note"}),
              (std::vector<std::string>{"(i:10, i:2, t:'moved')"}));
    ASSERT_OK_AND_ASSIGN(auto position, target_->AppliedPosition("peerlock_0badcafe"));
    EXPECT_EQ(position, std::optional<std::string>("7"));
  }
  ASSERT_OK_AND_ASSIGN(auto problems, target_->CheckForeignKeys());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM audit"), 0);  // the target's triggers stayed quiet
  ASSERT_OK(target_->Execute("INSERT INTO parent VALUES (4, 'd')"));  // ... and are back after
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM audit"), 1);
}

TEST_F(SqliteApplyTest, PatchesSetOnlyTheirColumnsAndTruncateEmptiesFirst) {
  writer_->Run("INSERT INTO person VALUES (1, 'x@', 'a1', 'b1'), (2, 'y@', 'a2', 'b2')");
  ChangeSet set{.stream = "s", .position = "1"};
  TableChanges person = Changes("person", {"id", "email", "a", "b"}, {"id"}, {}, {});
  person.patches.push_back(
      TableChanges::Patch{.row = Rows(4, {{I(1), Null(), Null(), T("b9")}}), .columns = {3}});
  set.tables.push_back(person);
  ASSERT_OK(target_->ApplyChanges(set));
  EXPECT_EQ(
      Table("person", {"id", "email", "a", "b"}),
      (std::vector<std::string>{"(i:1, t:'x@', t:'a1', t:'b9')", "(i:2, t:'y@', t:'a2', t:'b2')"}));

  ChangeSet truncate{.stream = "s", .position = "2"};
  truncate.tables.push_back(
      Changes("person", {"id", "email", "a", "b"}, {"id"}, {}, {{I(5), T("z@"), Null(), Null()}}));
  truncate.tables.back().truncate = true;
  ASSERT_OK(target_->ApplyChanges(truncate));
  EXPECT_EQ(Table("person", {"id", "email", "a", "b"}),
            (std::vector<std::string>{"(i:5, t:'z@', null, null)"}));
}

// An upsert never deletes a row that conflicts on another unique constraint (INSERT OR REPLACE
// would): it fails, and nothing of the set, nor its position, is applied.
TEST_F(SqliteApplyTest, AConflictOnAnotherUniqueKeyFailsTheWholeSet) {
  writer_->Run("INSERT INTO person VALUES (1, 'x@', NULL, NULL)");
  ChangeSet set{.stream = "s", .position = "9"};
  set.tables.push_back(Changes("parent", {"id", "name"}, {"id"}, {}, {{I(8), T("h")}}));
  set.tables.push_back(
      Changes("person", {"id", "email", "a", "b"}, {"id"}, {}, {{I(2), T("x@"), Null(), Null()}}));
  auto applied = target_->ApplyChanges(set);
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().message().find("person"), std::string::npos)
      << applied.error().ToString();
  EXPECT_EQ(Table("person", {"id", "email", "a", "b"}),
            (std::vector<std::string>{"(i:1, t:'x@', null, null)"}));
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM parent WHERE id = 8"), 0);
  ASSERT_OK_AND_ASSIGN(auto position, target_->AppliedPosition("s"));
  EXPECT_FALSE(position);
}

// Two rows of one set swapping a unique value: row by row they collide, as a whole they do not.
TEST_F(SqliteApplyTest, RowsSwappingAUniqueValueApply) {
  writer_->Run("INSERT INTO person VALUES (1, 'x@', 'a', NULL), (2, 'y@', 'b', NULL)");
  ChangeSet set{.stream = "s", .position = "5"};
  set.tables.push_back(Changes("person", {"id", "email", "a"}, {"id"}, {},
                               {{I(1), T("y@"), T("a")}, {I(2), T("x@"), T("b")}}));
  ASSERT_OK(target_->ApplyChanges(set));
  EXPECT_EQ(Table("person", {"id", "email", "a"}),
            (std::vector<std::string>{"(i:1, t:'y@', t:'a')", "(i:2, t:'x@', t:'b')"}));
}

TEST_F(SqliteApplyTest, BindsEveryStorageClassExactlyAndRefusesNaN) {
  const std::string nul_blob("\0\x01\0", 3), nul_text("x\0y", 3);
  ChangeSet set{.stream = "s", .position = "3"};
  set.tables.push_back(Changes("anykey", {"k", "v"}, {"k"}, {},
                               {{I(INT64_MIN), F(-0.0)},
                                {F(2.5), B(nul_blob)},
                                {T("2.5"), T(nul_text)},
                                {B(nul_blob), Null()},
                                {T(""), B("")}}));
  ASSERT_OK(target_->ApplyChanges(set));
  std::vector<std::string> expected;
  RowBatch& rows = set.tables[0].upserts;
  for (size_t r = 0; r < rows.rows(); ++r) expected.push_back(RenderRow(rows, r));
  auto actual = Table("anykey", {"k", "v"});
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  EXPECT_EQ(actual, expected);

  ChangeSet nan{.stream = "s", .position = "4"};
  nan.tables.push_back(Changes("anykey", {"k", "v"}, {"k"}, {}, {{I(1), F(std::nan(""))}}));
  auto refused = target_->ApplyChanges(nan);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kDataLoss);
  // The row is named by its key, so the user can find it on the source.
  EXPECT_NE(refused.error().message().find("table anykey key k=1 column 'v'"), std::string::npos)
      << refused.error().ToString();
  ASSERT_OK_AND_ASSIGN(auto position, target_->AppliedPosition("s"));
  EXPECT_EQ(position, std::optional<std::string>("3"));
}

TEST_F(SqliteApplyTest, AppliedPositionRoundTripsPerStreamAndIsForgotten) {
  ASSERT_OK_AND_ASSIGN(auto none, target_->AppliedPosition("a"));
  EXPECT_FALSE(none);
  ASSERT_OK(target_->ApplyChanges(ChangeSet{.stream = "a", .position = "12"}));
  ASSERT_OK(target_->ApplyChanges(ChangeSet{.stream = "b", .position = "0/16B3748"}));
  ASSERT_OK(target_->ApplyChanges(ChangeSet{.stream = "a", .position = "13"}));
  ASSERT_OK_AND_ASSIGN(auto a, target_->AppliedPosition("a"));
  ASSERT_OK_AND_ASSIGN(auto b, target_->AppliedPosition("b"));
  EXPECT_EQ(a, std::optional<std::string>("13"));
  EXPECT_EQ(b, std::optional<std::string>("0/16B3748"));
  ASSERT_OK(target_->ForgetAppliedPosition("a"));
  ASSERT_OK_AND_ASSIGN(auto forgotten, target_->AppliedPosition("a"));
  EXPECT_FALSE(forgotten);
  ASSERT_OK(target_->ForgetAppliedPosition("b"));
  EXPECT_EQ(writer_->Int("SELECT count(*) FROM sqlite_schema WHERE name = '_peerlock_sync'"), 0);
  ASSERT_OK(target_->ForgetAppliedPosition("b"));  // nothing left: still fine
}

// Each ChangeTxn as one ChangeSet: per table deletes then upserts (a key appears once per
// transaction), tables in the spec's order (parents first).
ChangeSet ToChangeSet(const CaptureSpec& spec, const ChangeTxn& txn) {
  ChangeSet set{.stream = spec.name, .position = txn.position};
  for (size_t t = 0; t < spec.tables.size(); ++t) {
    const CaptureTable& ct = spec.tables[t];
    TableChanges tc = Changes(ct.table, ct.columns, ct.key, {}, {});
    for (const auto& c : txn.changes) {
      if (c.table != static_cast<int>(t)) continue;
      const RowBatch& from = c.kind == ChangeKind::kDelete ? txn.old_keys[t] : txn.rows[t];
      int row = c.kind == ChangeKind::kDelete ? c.old_key : c.new_row;
      RowBatch& to = c.kind == ChangeKind::kDelete ? tc.deletes : tc.upserts;
      for (int col = 0; col < from.columns(); ++col) to.Add(from.Get(row, col));
    }
    set.tables.push_back(std::move(tc));
  }
  return set;
}

TEST(SqliteCaptureToApply, ASourceAndItsTargetEndEqual) {
  TempDir dir;
  std::string source_path = dir.File("source.db"), target_path = dir.File("target.db");
  Writer app(source_path), target_writer(target_path);
  const char* schema =
      "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);"
      "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), v);";
  app.Run(schema);
  target_writer.Run(schema);
  app.Run("INSERT INTO parent VALUES (1, 'copied'); INSERT INTO child VALUES (1, 1, 0.5)");
  target_writer.Run(
      "INSERT INTO parent VALUES (1, 'copied'); INSERT INTO child VALUES (1, 1, 0.5)");
  ASSERT_OK_AND_ASSIGN(auto source, OpenSession(source_path, true));
  ASSERT_OK_AND_ASSIGN(auto target, OpenSession(target_path, false));
  ASSERT_OK_AND_ASSIGN(CaptureSpec spec, SpecFor(*source, {"parent", "child"}));
  ASSERT_OK_AND_ASSIGN(auto handle, source->StartCapture(spec));
  ASSERT_OK_AND_ASSIGN(auto stream, source->OpenChangeStream(spec, handle->position()));

  auto sync = [&] {
    while (true) {
      auto txn = stream->Next(std::chrono::milliseconds(0));
      ASSERT_TRUE(txn) << txn.error().ToString();
      if (!*txn) break;
      ASSERT_OK(target->ApplyChanges(ToChangeSet(spec, **txn)));
      ASSERT_OK(stream->Confirm((*txn)->position));
    }
  };
  app.Run(
      "BEGIN; INSERT INTO parent VALUES (2, 'two'); INSERT INTO child VALUES (2, 2, X'00');"
      "COMMIT");
  sync();
  // A key change with its child following, then a delete of a parent and its child.
  app.Run(
      "BEGIN; PRAGMA defer_foreign_keys = ON; UPDATE parent SET id = 3 WHERE id = 2;"
      "UPDATE child SET parent_id = 3 WHERE id = 2; COMMIT");
  app.Run("BEGIN; DELETE FROM child WHERE id = 1; DELETE FROM parent WHERE id = 1; COMMIT");
  sync();
  app.Run("UPDATE child SET v = 'moved' WHERE id = 2");
  app.Run("BEGIN; INSERT INTO parent VALUES (4, 'rolled back'); ROLLBACK");
  sync();
  for (const auto& t : spec.tables) {
    ASSERT_OK_AND_ASSIGN(auto want, ReadAll(*source, t.table, t.columns, t.key));
    ASSERT_OK_AND_ASSIGN(auto have, ReadAll(*target, t.table, t.columns, t.key));
    EXPECT_EQ(have, want) << t.table;
  }
  ASSERT_OK_AND_ASSIGN(auto applied, target->AppliedPosition(spec.name));
  ASSERT_TRUE(applied);
  EXPECT_EQ(stream->Reached(*applied, "8"), std::optional<bool>(true));  // 8 changelog rows
  ASSERT_OK(source->DropCapture(spec));
}

}  // namespace
}  // namespace peerlock::sqlite_capture_test
