// `peerlock backup` / `peerlock restore --verify` on PostgreSQL: pg_dump runs in a snapshot
// PeerLock exported and the manifest's digests are read in that same snapshot, so a backup taken
// while an application inserts still restores to exactly what its manifest describes. Checked
// apart from PeerLock too: the quiet table's rows are byte-identical, the busy table's restored
// rows are all rows the application had written, and the sequence is restored with them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "scenarios/cutover_support.h"
#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;
using pg::NewDb;
using pg::Psql;
using pg::PsqlInt;

class PgBackup : public ::testing::Test {
 protected:
  void SetUp() override {
    live_ = NewDb("live");
    Psql(live_,
         "CREATE TABLE kinds (id int PRIMARY KEY, u uuid, amount numeric(20,5), doc jsonb, "
         "at timestamptz, tags text[], raw bytea, note text);"
         "INSERT INTO kinds SELECT i, md5(i::text)::uuid, i * 1234.56789, "
         "jsonb_build_object('i', i, 'odd', i % 2 = 1), '2026-01-01 00:00:00+00'::timestamptz + "
         "i * interval '1 minute', ARRAY['a' || i, NULL], decode(md5(i::text), 'hex'), "
         "CASE WHEN i % 10 = 0 THEN NULL ELSE E'line\\n' || i END "
         "FROM generate_series(1, 2000) i;"
         "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text);"
         "CREATE INDEX items_payload ON items (payload);");
    ws_.Plan(NewDb("legacy"), live_);
  }

  std::string live_;
  pg::Workspace ws_;
};

TEST_F(PgBackup, ABackupTakenDuringWritesRestoresToExactlyItsManifest) {
  AckedWriter writer("w", std::make_unique<PgClient>(
                              PgConninfo(test_servers::PgPort(), pg::DbName("live")), true));
  // The backup starts while the application is writing.
  while (writer.Acked(std::to_string(test_servers::PgPort())) < 50) std::this_thread::yield();
  std::string backup = ws_.File("backup");
  RunResult made = ws_.Run("backup", {"--out", backup});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  // ... and goes on writing after it.
  size_t at_end = writer.Acked(std::to_string(test_servers::PgPort()));
  while (writer.Acked(std::to_string(test_servers::PgPort())) < at_end + 20)
    std::this_thread::yield();
  writer.Stop();
  ASSERT_EQ(writer.duplicate_keys(), 0) << writer.Errors();

  json manifest = json::parse(ReadFile(backup + "/manifest.json"));
  EXPECT_EQ(manifest["format"], "pg-custom");
  int64_t items_in_backup = -1;
  for (const auto& t : manifest["tables"])
    if (t["table"] == "items") items_in_backup = t["rows"].get<int64_t>();
  ASSERT_GT(items_in_backup, 0) << manifest.dump(1);
  ASSERT_LT(items_in_backup, PsqlInt(live_, "SELECT count(*) FROM items"))
      << "the backup should predate the last writes";

  // A PostgreSQL backup needs a destination.
  RunResult no_into = ws_.Run("restore", {backup});
  EXPECT_EQ(no_into.exit_code, 2) << no_into.Describe();
  EXPECT_NE(no_into.err.find("--into is needed"), std::string::npos) << no_into.Describe();

  std::string drill = NewDb("drill");
  RunResult restored = ws_.Run("restore", {backup, "--into", drill, "--verify"});
  ASSERT_EQ(restored.exit_code, 0) << restored.Describe();
  EXPECT_NE(restored.out.find("every table's row count and digest match the backup"),
            std::string::npos)
      << restored.out;

  // Apart from PeerLock: the quiet table byte for byte, the busy one a prefix of what was written.
  EXPECT_EQ(pg::CompareRowText(live_, drill, "kinds", "id"), "");
  EXPECT_EQ(PsqlInt(drill, "SELECT count(*) FROM items"), items_in_backup);
  std::vector<std::string> live_rows =
      pg::PsqlTexts(live_, "SELECT t::text FROM items t ORDER BY id");
  std::set<std::string> written(live_rows.begin(), live_rows.end());
  for (const std::string& row : pg::PsqlTexts(drill, "SELECT t::text FROM items t ORDER BY id"))
    EXPECT_TRUE(written.count(row)) << "restored a row the application never wrote: " << row;
  // The identity sequence came back with the rows: a new insert does not collide.
  Psql(drill, "INSERT INTO items (payload) VALUES ('after the drill')");
  EXPECT_EQ(PsqlInt(drill, "SELECT count(DISTINCT id) FROM items"), items_in_backup + 1);
  EXPECT_EQ(PsqlInt(drill, "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_payload'"), 1);

  // The same backup twice into one database: refused, and the first restore is left alone.
  RunResult again = ws_.Run("restore", {backup, "--into", drill});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
  EXPECT_NE(again.err.find("already holds tables"), std::string::npos) << again.Describe();
  EXPECT_EQ(PsqlInt(drill, "SELECT count(*) FROM items"), items_in_backup + 1);
}

// Decommissioning a frozen PostgreSQL source (as a cutover leaves it: the database defaults to
// read-only): archive, then purge passes the freeze, empties children before parents, and the
// archive restores what was purged.
TEST_F(PgBackup, PurgeEmptiesAFrozenSourceOnlyAfterItsArchive) {
  Psql(live_,
       "CREATE TABLE orders (id int PRIMARY KEY, kind_id int NOT NULL REFERENCES kinds(id));"
       "INSERT INTO orders SELECT i, i FROM generate_series(1, 500) i;"
       "ALTER DATABASE " +
           pg::DbName("live") + " SET default_transaction_read_only = on;");
  // The retired database is the plan's source here.
  ws_.Plan(live_, NewDb("new"));
  std::string archive = ws_.File("archive");
  RunResult archived = ws_.Run("archive", {"--retain", "30d", "--force", "--out", archive});
  ASSERT_EQ(archived.exit_code, 0) << archived.Describe();

  // An application's write is refused by the freeze; PeerLock's purge is not.
  EXPECT_NE(test_servers::RunPsql(live_, "DELETE FROM orders").exit_code, 0);
  std::string url = json::parse(ReadFile(archive + "/manifest.json"))["database"];
  RunResult purged = ws_.Run("purge", {"--archive", archive, "--confirm", url, "--force"});
  ASSERT_EQ(purged.exit_code, 0) << purged.Describe();
  EXPECT_NE(purged.out.find("purged 2500 rows from 3 tables"), std::string::npos) << purged.out;
  EXPECT_EQ(PsqlInt(live_, "SELECT (SELECT count(*) FROM kinds) + (SELECT count(*) FROM orders)"),
            0);
  EXPECT_EQ(PsqlInt(live_, "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'"), 1);

  std::string back = NewDb("back");
  RunResult restored = ws_.Run("restore", {archive, "--into", back, "--verify"});
  ASSERT_EQ(restored.exit_code, 0) << restored.Describe();
  EXPECT_EQ(PsqlInt(back, "SELECT count(*) FROM orders"), 500);
}

}  // namespace
}  // namespace peerlock::scenario
