// `peerlock backup` / `peerlock restore --verify` / `archive` / `purge` on MariaDB. mariadb-dump
// cannot join PeerLock's snapshot, so commits are held while both snapshots open; a backup taken
// while an application inserts must still restore to exactly what its manifest describes.
// Checked apart from PeerLock too: the quiet table is identical by the server's own CHECKSUM
// TABLE, every restored row of the busy table is one the application wrote, and triggers,
// routines and AUTO_INCREMENT counters come back with the data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "base/strings.h"
#include "scenarios/cutover_support.h"
#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;
namespace ts = test_servers;

class MariadbBackup : public ::testing::Test {
 protected:
  void SetUp() override {
    live_db_ = NewDbName("live");
    live_ = ts::CreateMariadbDatabase(live_db_);
    Mariadb(live_db_, R"sql(
      CREATE TABLE kinds (id INT PRIMARY KEY, amount DECIMAL(30,10), at DATETIME(6),
        ts TIMESTAMP(3) NULL, span TIME(2), flags BIT(5), mood ENUM('calm','busy'),
        tags SET('a','b','c'), doc JSON, raw VARBINARY(40), blob_col BLOB, note TEXT,
        name VARCHAR(40) COLLATE utf8mb4_bin, u BIGINT UNSIGNED, f DOUBLE);
      INSERT INTO kinds SELECT seq, seq * 1234.5678901234, '2026-01-01' + INTERVAL seq SECOND,
        '2026-03-01 10:00:00.125' + INTERVAL seq MINUTE, IF(seq % 2, '-838:59:58.99', '25:00'),
        seq % 32, IF(seq % 2, 'calm', 'busy'), IF(seq % 3, 'a,c', ''),
        JSON_OBJECT('i', seq, 's', 'x\ty'), UNHEX(MD5(seq)), IF(seq % 10, UNHEX('00FF5C27'), NULL),
        IF(seq % 7, CONCAT('line\n', seq, ' ünï 😀'), NULL), CONCAT('Name ', seq),
        18446744073709551615 - seq, seq / 3
        FROM seq_1_to_1500;
      CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(100) NOT NULL);
      CREATE TABLE counted (n INT NOT NULL);
      INSERT INTO counted VALUES (0);
      CREATE TRIGGER items_counted AFTER INSERT ON items FOR EACH ROW
        UPDATE counted SET n = n + 1;
      CREATE FUNCTION double_it (x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
    )sql");
    ws_.Plan(ts::CreateMariadbDatabase(NewDbName("legacy")), live_);
  }

  static std::string NewDbName(const std::string& suffix) {
    return ts::TestDatabaseName().substr(0, 50) + "_" + suffix;
  }
  static void Mariadb(const std::string& database, const std::string& sql) {
    ts::CommandResult r = ts::RunMariadb(database, sql);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  static std::string MariadbOut(const std::string& database, const std::string& sql) {
    ts::CommandResult r = ts::RunMariadb(database, sql);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }
  // The server's own checksum of `table` in `database` (the second column of CHECKSUM TABLE).
  static std::string Checksum(const std::string& database, const std::string& table) {
    std::string out = MariadbOut(database, "CHECKSUM TABLE " + table + " EXTENDED");
    return out.substr(out.find('\t') + 1);
  }

  std::string live_db_, live_;
  pg::Workspace ws_;
};

TEST_F(MariadbBackup, ABackupTakenDuringWritesRestoresToExactlyItsManifest) {
  AckedWriter writer(
      "w", std::make_unique<MariadbClient>("peerlock", ts::MariadbPassword(), live_db_, "live"));
  // The backup starts while the application is writing ...
  while (writer.Acked("live") < 50) std::this_thread::yield();
  std::string backup = ws_.File("backup");
  RunResult made =
      RunPeerlock({"-v", "backup", "--plan", ws_.plan(), "--state", ws_.state(), "--out", backup});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  EXPECT_NE(made.err.find("commits were held for"), std::string::npos) << made.Describe();
  // Held until the dump's transaction was seen, not until the dump ended.
  EXPECT_NE(made.err.find("mariadb-dump's transaction is open"), std::string::npos)
      << made.Describe();
  // ... and goes on writing after it: the hold was released.
  size_t at_end = writer.Acked("live");
  while (writer.Acked("live") < at_end + 20) std::this_thread::yield();
  writer.Stop();
  ASSERT_EQ(writer.duplicate_keys(), 0) << writer.Errors();
  EXPECT_EQ(made.out.find(ts::MariadbPassword()), std::string::npos);
  EXPECT_EQ(made.err.find(ts::MariadbPassword()), std::string::npos);

  json manifest = json::parse(ReadFile(backup + "/manifest.json"));
  EXPECT_EQ(manifest["format"], "mariadb-sql");
  int64_t items_in_backup = -1;
  for (const auto& t : manifest["tables"])
    if (t["table"] == "items") items_in_backup = t["rows"].get<int64_t>();
  ASSERT_GT(items_in_backup, 0) << manifest.dump(1);
  ASSERT_LT(items_in_backup, std::stoll(MariadbOut(live_db_, "SELECT COUNT(*) FROM items")))
      << "the backup should predate the last writes";

  // A MariaDB backup needs a destination.
  RunResult no_into = ws_.Run("restore", {backup});
  EXPECT_EQ(no_into.exit_code, 2) << no_into.Describe();
  EXPECT_NE(no_into.err.find("--into is needed"), std::string::npos) << no_into.Describe();

  const std::string drill_db = NewDbName("drill");
  const std::string drill = ts::CreateMariadbDatabase(drill_db);
  RunResult restored = ws_.Run("restore", {backup, "--into", drill, "--verify"});
  ASSERT_EQ(restored.exit_code, 0) << restored.Describe();
  EXPECT_NE(restored.out.find("every table's row count and digest match the backup"),
            std::string::npos)
      << restored.out;

  // Apart from PeerLock: the quiet table by the server's checksum, the busy one a prefix of
  // what was written, and the trigger, the function and the counter restored with them.
  EXPECT_EQ(Checksum(drill_db, "kinds"), Checksum(live_db_, "kinds"));
  EXPECT_EQ(MariadbOut(drill_db, "SELECT COUNT(*) FROM items"), std::to_string(items_in_backup));
  std::set<std::string> written;
  for (const Ack& a : writer.acks()) written.insert(std::to_string(a.id) + "\t" + a.payload);
  for (const std::string& row :
       Split(MariadbOut(drill_db, "SELECT id, payload FROM items ORDER BY id"), '\n'))
    EXPECT_TRUE(written.count(row)) << "restored a row the application never wrote: " << row;
  EXPECT_EQ(MariadbOut(drill_db, "SELECT n FROM counted"), std::to_string(items_in_backup))
      << "the trigger counted every restored insert";
  EXPECT_EQ(MariadbOut(drill_db, "SELECT double_it(21)"), "42");
  Mariadb(drill_db, "INSERT INTO items (payload) VALUES ('after the drill')");
  EXPECT_EQ(MariadbOut(drill_db, "SELECT n FROM counted"), std::to_string(items_in_backup + 1));

  // The same backup twice into one database: refused, and the first restore is left alone.
  RunResult again = ws_.Run("restore", {backup, "--into", drill});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
  EXPECT_NE(again.err.find("already holds tables"), std::string::npos) << again.Describe();
  EXPECT_EQ(MariadbOut(drill_db, "SELECT COUNT(*) FROM items"),
            std::to_string(items_in_backup + 1));
}

// The drill catches a restore that differs from its manifest: a table changed after the
// restore fails --verify, naming the table.
TEST_F(MariadbBackup, ADrillNamesATableThatDiffersFromTheManifest) {
  std::string backup = ws_.File("backup");
  RunResult made = ws_.Run("backup", {"--out", backup});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  // The manifest says kinds held something else than the archive holds.
  json manifest = json::parse(ReadFile(backup + "/manifest.json"));
  for (auto& t : manifest["tables"])
    if (t["table"] == "kinds") {
      std::string digest = t["digest"];
      digest.back() = digest.back() == '0' ? '1' : '0';
      t["digest"] = digest;
    }
  WriteFile(backup + "/manifest.json", manifest.dump(2));
  const std::string drill = ts::CreateMariadbDatabase(NewDbName("drill"));
  RunResult restored = ws_.Run("restore", {backup, "--into", drill, "--verify"});
  EXPECT_EQ(restored.exit_code, 1) << restored.Describe();
  EXPECT_NE(restored.out.find("DIFFERENT kinds: same row count, but the rows' digest differs"),
            std::string::npos)
      << restored.Describe();
  EXPECT_EQ(restored.out.find("DIFFERENT items"), std::string::npos) << restored.out;
}

// An account without RELOAD cannot hold commits: the backup stops with the GRANT to run, leaves
// no backup behind, and holds nothing (the application's writes go on).
TEST_F(MariadbBackup, AnAccountWithoutReloadIsToldTheGrantAndHoldsNothing) {
  const std::string user = "peerlock_backup_weak";
  Mariadb(live_db_, "DROP USER IF EXISTS '" + user + "'@'%'; CREATE USER '" + user +
                        "'@'%' IDENTIFIED BY 'weak-secret-7'; GRANT SELECT, SHOW VIEW, TRIGGER, "
                        "EVENT ON `" +
                        live_db_ + "`.* TO '" + user + "'@'%';");
  const std::string weak_url =
      "mysql://" + user + "@127.0.0.1:" + std::to_string(ts::MariadbPort()) + "/" + live_db_;
  WriteFile(ws_.plan(),
            "source: {url: \"" + live_ + "\", password_env: " + ts::MariadbPasswordEnvName() +
                "}\ntarget: {url: \"" + weak_url + "\", password_env: WEAK_PASSWORD}\n");
  std::string backup = ws_.File("backup");
  RunResult made = ws_.Run("backup", {"--out", backup}, {{"WEAK_PASSWORD", "weak-secret-7"}});
  Mariadb(live_db_, "DROP USER '" + user + "'@'%'");
  EXPECT_EQ(made.exit_code, 3) << made.Describe();
  EXPECT_NE(made.err.find("GRANT RELOAD"), std::string::npos) << made.Describe();
  EXPECT_EQ(made.err.find("weak-secret-7"), std::string::npos) << made.Describe();
  EXPECT_FALSE(std::filesystem::exists(backup + "/manifest.json"));
  // Nothing is held: a commit goes through at once.
  Mariadb(live_db_, "INSERT INTO items (payload) VALUES ('after the refusal')");
}

// Decommissioning a MariaDB source: archive, then purge empties children before parents, and
// the archive restores what was purged.
TEST_F(MariadbBackup, PurgeEmptiesTheSourceOnlyAfterItsArchive) {
  Mariadb(live_db_,
          "CREATE TABLE orders (id INT PRIMARY KEY, kind_id INT NOT NULL, "
          "CONSTRAINT orders_kind FOREIGN KEY (kind_id) REFERENCES kinds (id));"
          "INSERT INTO orders SELECT seq, seq FROM seq_1_to_500;");
  // The retired database is the plan's source here.
  ws_.Plan(live_, ts::CreateMariadbDatabase(NewDbName("new")));
  std::string archive = ws_.File("archive");
  RunResult archived = ws_.Run("archive", {"--retain", "30d", "--force", "--out", archive});
  ASSERT_EQ(archived.exit_code, 0) << archived.Describe();
  std::string url = json::parse(ReadFile(archive + "/manifest.json"))["database"];

  // A table changed since the archive: nothing is purged.
  Mariadb(live_db_, "INSERT INTO items (payload) VALUES ('late')");
  RunResult refused = ws_.Run("purge", {"--archive", archive, "--confirm", url, "--force"});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_EQ(MariadbOut(live_db_, "SELECT COUNT(*) FROM orders"), "500");
  Mariadb(live_db_, "DELETE FROM items; UPDATE counted SET n = 0");

  RunResult purged = ws_.Run("purge", {"--archive", archive, "--confirm", url, "--force"});
  ASSERT_EQ(purged.exit_code, 0) << purged.Describe();
  EXPECT_EQ(MariadbOut(live_db_,
                       "SELECT (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM "
                       "kinds) + (SELECT COUNT(*) FROM counted)"),
            "0");

  const std::string back_db = NewDbName("back");
  const std::string back = ts::CreateMariadbDatabase(back_db);
  RunResult restored = ws_.Run("restore", {archive, "--into", back, "--verify"});
  ASSERT_EQ(restored.exit_code, 0) << restored.Describe();
  EXPECT_EQ(MariadbOut(back_db, "SELECT COUNT(*) FROM orders"), "500");
  EXPECT_EQ(MariadbOut(back_db, "SELECT COUNT(*) FROM kinds"), "1500");
}

}  // namespace
}  // namespace peerlock::scenario
