// `peerlock backup` and `peerlock restore --verify` with the real binary on SQLite: the restore
// drill brings back every row (checked by SQL, not only by PeerLock's digests), ticks the
// checklist's "monitoring and backups validated" only with a monitoring endpoint that answered,
// and refuses damaged, unfinished and tampered backups without touching the destination.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "scenarios/scenario_support.h"
#include "support/listening_port.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;

using testing::ListeningPort;

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    Db db(source_);
    ASSERT_TRUE(db.Exec(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, balance REAL, photo BLOB);"
        "CREATE TABLE notes (body TEXT);"  // keyless: digested as a multiset
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
        " INSERT INTO customers SELECT i, 'c' || i, i / 7.0, randomblob(i % 5) FROM n;"
        "INSERT INTO notes VALUES ('a'), ('a'), (NULL);"));
    WriteFile(plan_, "source: {url: \"" + SqliteUrl(source_) + "\"}\ntarget: {url: \"" +
                         SqliteUrl(target_) + "\"}\n");
    RunResult copy = RunPeerlock({"copy", "--plan", plan_});
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  }

  // Runs `peerlock backup` into dir/backup and returns that directory.
  std::string MakeBackup() {
    std::string out = dir_.File("backup");
    RunResult backup = RunPeerlock({"backup", "--plan", plan_, "--out", out});
    EXPECT_EQ(backup.exit_code, 0) << backup.Describe();
    EXPECT_NE(backup.out.find("2 tables, 3003 rows"), std::string::npos) << backup.out;
    return out;
  }

  std::string ArchiveOf(const std::string& backup) {
    return backup + "/" +
           json::parse(ReadFile(backup + "/manifest.json"))["archive"].get<std::string>();
  }

  TempDir dir_;
  std::string source_ = dir_.File("legacy.db"), target_ = dir_.File("new.db");
  std::string plan_ = dir_.File("peerlock.yaml");
};

TEST_F(Backup, RestoreDrillBringsBackEveryRowAndTicksTheChecklist) {
  std::string backup = MakeBackup();
  // The archive is compressed: smaller than the database it holds.
  json manifest = json::parse(ReadFile(backup + "/manifest.json"));
  EXPECT_LT(manifest["compressed_bytes"].get<int64_t>(), manifest["raw_bytes"].get<int64_t>());
  EXPECT_FALSE(FileExists(backup + "/dump.raw")) << "the uncompressed dump stays behind";

  // The target moves on after the backup: the drill restores the backup's state, not today's.
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("DELETE FROM customers WHERE id > 2000; UPDATE notes SET body = 'b'"));
  }
  std::string restored = dir_.File("restored.db");
  ListeningPort monitoring;
  RunResult drill = RunPeerlock({"restore", "--plan", plan_, backup, "--into", SqliteUrl(restored),
                                 "--verify", "--monitoring", monitoring.Url()});
  ASSERT_EQ(drill.exit_code, 0) << drill.Describe();
  EXPECT_NE(drill.out.find("every table's row count and digest match the backup"),
            std::string::npos)
      << drill.out;
  EXPECT_NE(drill.out.find("RTO"), std::string::npos) << drill.out;
  // Monitoring was watched through the drill, from its start to its end.
  EXPECT_NE(drill.out.find(" answered all "), std::string::npos) << drill.out;
  EXPECT_NE(drill.out.find("probes during the drill"), std::string::npos) << drill.out;

  // Checked apart from PeerLock: the restored file holds exactly the source's rows.
  Db db(restored);
  ASSERT_TRUE(db.Exec("ATTACH '" + source_ + "' AS legacy"));
  EXPECT_EQ(db.Int("SELECT count(*) FROM customers"), 3000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM (SELECT * FROM customers EXCEPT SELECT * FROM "
                   "legacy.customers)"),
            0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM notes WHERE body = 'a'"), 2);

  RunResult status = RunPeerlock({"status", "--plan", plan_});
  EXPECT_NE(status.out.find("[x] monitoring and backups validated"), std::string::npos)
      << status.out;
}

TEST_F(Backup, WithoutMonitoringTheDrillRestoresButTheChecklistWaits) {
  std::string backup = MakeBackup();
  // No --into: a new SQLite file under the state directory, a second drill beside the first.
  for (int i = 0; i < 2; ++i) {
    RunResult drill = RunPeerlock({"restore", "--plan", plan_, backup, "--verify"});
    ASSERT_EQ(drill.exit_code, 0) << drill.Describe();
    EXPECT_NE(drill.out.find("no monitoring endpoint given"), std::string::npos) << drill.out;
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.File(".peerlock/restore-drills")))
    files += e.path().extension() == ".db";
  EXPECT_EQ(files, 2u);
  RunResult status = RunPeerlock({"status", "--plan", plan_});
  EXPECT_NE(status.out.find("[ ] monitoring and backups validated"), std::string::npos)
      << status.out;
}

TEST_F(Backup, ADamagedArchiveIsRefusedBeforeTheDestinationIsTouched) {
  std::string backup = MakeBackup();
  std::string archive = ArchiveOf(backup);
  {
    std::fstream f(archive, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    char c = 0;
    f.read(&c, 1);
    f.seekp(200);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  std::string restored = dir_.File("restored.db");
  RunResult drill =
      RunPeerlock({"restore", "--plan", plan_, backup, "--into", SqliteUrl(restored), "--verify"});
  EXPECT_EQ(drill.exit_code, 1) << drill.Describe();
  EXPECT_NE(drill.err.find("damaged"), std::string::npos) << drill.Describe();
  EXPECT_NE(drill.err.find("hint: nothing was changed"), std::string::npos) << drill.Describe();
  EXPECT_FALSE(FileExists(restored));

  // Cut short, as a copy interrupted mid-transfer would leave it.
  std::filesystem::resize_file(archive, std::filesystem::file_size(archive) / 2);
  drill = RunPeerlock({"restore", "--plan", plan_, backup, "--into", SqliteUrl(restored)});
  EXPECT_EQ(drill.exit_code, 1) << drill.Describe();
  EXPECT_NE(drill.err.find("truncated"), std::string::npos) << drill.Describe();
  EXPECT_FALSE(FileExists(restored));
}

TEST_F(Backup, ADigestThatDoesNotMatchFailsTheDrill) {
  std::string backup = MakeBackup();
  // The manifest says notes held other rows: the restore works, the verification must not pass.
  json manifest = json::parse(ReadFile(backup + "/manifest.json"));
  for (auto& t : manifest["tables"])
    if (t["table"] == "notes") t["digest"] = "3:0123456789abcdef0123456789abcdef";
  WriteFile(backup + "/manifest.json", manifest.dump(2));
  RunResult drill = RunPeerlock({"restore", "--plan", plan_, backup, "--verify", "--into",
                                 SqliteUrl(dir_.File("restored.db"))});
  EXPECT_EQ(drill.exit_code, 1) << drill.Describe();
  EXPECT_NE(drill.out.find("DIFFERENT notes: same row count, but the rows' digest differs"),
            std::string::npos)
      << drill.Describe();
  EXPECT_EQ(drill.out.find("DIFFERENT customers"), std::string::npos) << drill.out;
}

TEST_F(Backup, RefusesUnfinishedBackupsOccupiedDestinationsAndTheMigrationsOwnDatabases) {
  std::string backup = MakeBackup();
  // A second backup never overwrites the first.
  RunResult again = RunPeerlock({"backup", "--plan", plan_, "--out", backup});
  EXPECT_EQ(again.exit_code, 2) << again.Describe();
  EXPECT_NE(again.err.find("already holds a backup"), std::string::npos) << again.Describe();

  RunResult into_target =
      RunPeerlock({"restore", "--plan", plan_, backup, "--into", SqliteUrl(target_)});
  EXPECT_EQ(into_target.exit_code, 2) << into_target.Describe();
  EXPECT_NE(into_target.err.find("this migration's own target"), std::string::npos)
      << into_target.Describe();

  std::string occupied = dir_.File("occupied.db");
  {
    Db db(occupied);
    ASSERT_TRUE(db.Exec("CREATE TABLE keep (x INTEGER); INSERT INTO keep VALUES (42)"));
  }
  RunResult over = RunPeerlock({"restore", "--plan", plan_, backup, "--into", SqliteUrl(occupied)});
  EXPECT_EQ(over.exit_code, 1) << over.Describe();
  EXPECT_NE(over.err.find("already holds tables (keep"), std::string::npos) << over.Describe();
  Db db(occupied);
  EXPECT_EQ(db.Int("SELECT x FROM keep"), 42);
  // A view alone is data of someone's too.
  std::string viewed = dir_.File("viewed.db");
  {
    Db v(viewed);
    ASSERT_TRUE(v.Exec("CREATE VIEW answer AS SELECT 42 AS x"));
  }
  RunResult over_view =
      RunPeerlock({"restore", "--plan", plan_, backup, "--into", SqliteUrl(viewed)});
  EXPECT_EQ(over_view.exit_code, 1) << over_view.Describe();
  EXPECT_NE(over_view.err.find("already holds tables (view answer)"), std::string::npos)
      << over_view.Describe();

  // What a killed backup leaves: no manifest, so not a backup.
  std::filesystem::remove(backup + "/manifest.json");
  RunResult unfinished = RunPeerlock({"restore", "--plan", plan_, backup});
  EXPECT_EQ(unfinished.exit_code, 2) << unfinished.Describe();
  EXPECT_NE(unfinished.err.find("the backup did not finish"), std::string::npos)
      << unfinished.Describe();
}

TEST_F(Backup, DecommissionIsRefusedWhileTheSourceIsLiveOrUnconfirmed) {
  RunResult archive = RunPeerlock({"archive", "--plan", plan_, "--retain", "7y"});
  EXPECT_EQ(archive.exit_code, 1) << archive.Describe();
  EXPECT_NE(archive.err.find("is still the live database: no cutover succeeded"), std::string::npos)
      << archive.Describe();
  RunResult bad_retain = RunPeerlock({"archive", "--plan", plan_, "--retain", "forever"});
  EXPECT_EQ(bad_retain.exit_code, 2) << bad_retain.Describe();
  EXPECT_NE(bad_retain.err.find("90d, 7y"), std::string::npos) << bad_retain.Describe();

  std::string out = dir_.File("archive");
  archive = RunPeerlock({"archive", "--plan", plan_, "--retain", "90d", "--force", "--out", out});
  ASSERT_EQ(archive.exit_code, 0) << archive.Describe();
  RunResult unconfirmed =
      RunPeerlock({"purge", "--plan", plan_, "--archive", out, "--confirm", "yes", "--force"});
  EXPECT_EQ(unconfirmed.exit_code, 2) << unconfirmed.Describe();
  EXPECT_NE(unconfirmed.err.find("give --confirm " + SqliteUrl(source_)), std::string::npos)
      << unconfirmed.Describe();
  RunResult live =
      RunPeerlock({"purge", "--plan", plan_, "--archive", out, "--confirm", SqliteUrl(source_)});
  EXPECT_EQ(live.exit_code, 1) << live.Describe();

  // A row written after the archive: nothing may be purged, from any table.
  {
    Db db(source_);
    ASSERT_TRUE(db.Exec("INSERT INTO customers (id, name) VALUES (99999, 'late')"));
  }
  RunResult changed = RunPeerlock(
      {"purge", "--plan", plan_, "--archive", out, "--confirm", SqliteUrl(source_), "--force"});
  EXPECT_EQ(changed.exit_code, 1) << changed.Describe();
  EXPECT_NE(changed.err.find("table customers changed since the archive"), std::string::npos)
      << changed.Describe();
  Db db(source_);
  EXPECT_EQ(db.Int("SELECT count(*) FROM customers"), 3001);
  EXPECT_EQ(db.Int("SELECT count(*) FROM notes"), 3);
  RunResult status = RunPeerlock({"status", "--plan", plan_});
  EXPECT_NE(status.out.find("[ ] legacy decommissioned"), std::string::npos) << status.out;
}

TEST_F(Backup, ArchiveThenPurgeRecordsWhatWasPurgedAndTheArchiveBringsItBack) {
  {
    // Children of customers (purged first), and a trigger refusing deletes as a cutover's
    // freeze does: PeerLock's purge passes it, nobody else's write would.
    Db db(source_);
    ASSERT_TRUE(
        db.Exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
                "REFERENCES customers(id));"
                "INSERT INTO orders SELECT id, id FROM customers WHERE id % 3 = 0;"
                "CREATE TRIGGER refuse_deletes BEFORE DELETE ON customers "
                "BEGIN SELECT RAISE(ABORT, 'frozen'); END;"));
  }
  std::string out = dir_.File("archive");
  RunResult archive =
      RunPeerlock({"archive", "--plan", plan_, "--retain", "7y", "--force", "--out", out});
  ASSERT_EQ(archive.exit_code, 0) << archive.Describe();
  EXPECT_NE(archive.out.find("kept until "), std::string::npos) << archive.out;
  EXPECT_TRUE(json::parse(ReadFile(out + "/manifest.json")).contains("retain_until"));

  RunResult purge = RunPeerlock(
      {"purge", "--plan", plan_, "--archive", out, "--confirm", SqliteUrl(source_), "--force"});
  ASSERT_EQ(purge.exit_code, 0) << purge.Describe();
  EXPECT_NE(purge.out.find("purged 4003 rows from 3 tables"), std::string::npos) << purge.out;
  {
    Db db(source_);
    EXPECT_EQ(db.Int("SELECT count(*) FROM customers"), 0);
    EXPECT_EQ(db.Int("SELECT count(*) FROM orders"), 0);
    EXPECT_EQ(db.Int("SELECT count(*) FROM notes"), 0);
    EXPECT_TRUE(db.Query("PRAGMA foreign_key_check").empty());
    EXPECT_EQ(db.Int("SELECT count(*) FROM sqlite_schema WHERE name = 'refuse_deletes'"), 1);
  }
  // Run again (as after a purge cut short): the emptied tables pass, nothing else happens.
  RunResult again = RunPeerlock(
      {"purge", "--plan", plan_, "--archive", out, "--confirm", SqliteUrl(source_), "--force"});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_NE(again.out.find("purged 0 rows from 3 tables"), std::string::npos) << again.out;

  RunResult status = RunPeerlock({"status", "--plan", plan_});
  EXPECT_NE(status.out.find("[x] legacy decommissioned"), std::string::npos) << status.out;

  // What was purged is in the archive, row for row.
  std::string back = dir_.File("back.db");
  RunResult drill =
      RunPeerlock({"restore", "--plan", plan_, out, "--into", SqliteUrl(back), "--verify"});
  ASSERT_EQ(drill.exit_code, 0) << drill.Describe();
  Db db(back);
  EXPECT_EQ(db.Int("SELECT count(*) FROM customers"), 3000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM orders"), 1000);
}

}  // namespace
}  // namespace peerlock::scenario
