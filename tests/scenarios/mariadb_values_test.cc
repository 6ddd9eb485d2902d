// The values of issue 4 that must survive exactly, in both directions between MariaDB and
// SQLite (and MariaDB -> MariaDB): DECIMAL(65,30) max, FLOAT 0.1, DOUBLE bit-exact, TIME beyond
// 24 h and negative, DATETIME(3), zero dates (NULL, NOT NULL relaxed), ENUM '', SET, BINARY(4)
// padding, BIT(16), trailing spaces, '' vs NULL vs the text \N, 4-byte emoji, control
// characters, BIGINT UNSIGNED max (MariaDB -> MariaDB).

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_support.h"
#include "support/test_servers.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;
namespace ts = test_servers;

constexpr const char* kDecimalMax =
    "99999999999999999999999999999999999.999999999999999999999999999999";

// Zero dates need a permissive session to be written at all.
constexpr const char* kMatrix = R"sql(
  SET SESSION sql_mode = '';
  CREATE TABLE matrix (
    id INT PRIMARY KEY, d DECIMAL(65,30), f FLOAT, dbl DOUBLE, t TIME, dt3 DATETIME(3),
    ts TIMESTAMP(6) NULL DEFAULT NULL, e ENUM('', 'a', 'b'), st SET('read', 'write'),
    bin BINARY(4), vc VARCHAR(20), txt TEXT, bits BIT(16), j JSON, zd DATE,
    zdn DATE NOT NULL, b TINYINT(1), y YEAR, i64 BIGINT UNSIGNED);
  INSERT INTO matrix VALUES
    (1, 99999999999999999999999999999999999.999999999999999999999999999999, 0.1, 0.1,
     '838:59:59', '2024-12-31 23:59:59.999', '2038-01-19 03:14:07.999999', '', 'read,write',
     'ab', 'trail  ', 'emoji 😀 ünï', b'0000000000001000', '{"b":1,"a":[1,2.0]}',
     '0000-00-00', '0000-00-00', 1, 2024, 9223372036854775807),
    (2, -0.000000000000000000000000000001, 1.2345678, 5e-324, '-12:00:00',
     '0001-01-01 00:00:00.001', '1970-01-01 00:00:01', 'a', '', 0x00000000, '', '\\N',
     b'1', 'null', '2024-03-00', '2024-02-29', 0, 1901, 0),
    (3, NULL, NULL, 0.30000000000000004, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     'tab\there\nnew\\line\rcr', NULL, NULL, NULL, '2000-01-01', NULL, NULL, NULL),
    (4, 0, -3.4028234e38, 1.7976931348623157e308, '00:00:00', '2024-02-29 12:00:00', NULL,
     'b', 'write', 'abcd', '\\N', '', b'1111111111111111', '[]', '9999-12-31', '2024-01-01',
     5, 2155, NULL);
)sql";

class MariadbValues : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = ts::TestDatabaseName();
    target_database_ = database_.substr(0, 55) + "_target";
    url_ = ts::CreateMariadbDatabase(database_);
    target_url_ = ts::CreateMariadbDatabase(target_database_);
    sqlite_ = dir_.File("values.db");
    plan_ = dir_.File("plan.yaml");
    state_ = dir_.File("state");
  }

  std::string Mariadb(const std::string& database, const std::string& sql) {
    ts::CommandResult r = ts::RunMariadb(database, sql);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }

  void Plan(const std::string& source, const std::string& target) {
    auto side = [](const std::string& url) {
      std::string out = "\n  url: \"" + url + "\"";
      if (url.starts_with("mysql:")) out += "\n  password_env: " + ts::MariadbPasswordEnvName();
      return out;
    };
    WriteFile(plan_, "version: 1\nsource:" + side(source) + "\ntarget:" + side(target) + "\n");
  }

  // copy, then verify --json: both succeed and verify says equal.
  void CopyAndVerify() {
    RunResult copy = RunPeerlock({"copy", "--plan", plan_, "--state", state_});
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
    RunResult verify = RunPeerlock({"verify", "--json", "--plan", plan_, "--state", state_});
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    json v = json::parse(verify.out, nullptr, false);
    EXPECT_TRUE(v.is_object() && v["equal"].get<bool>()) << verify.Describe();
    copy_output_ = copy.out + copy.err;
  }

  TempDir dir_;
  std::string database_, target_database_, url_, target_url_, sqlite_, plan_, state_;
  std::string copy_output_;
};

TEST_F(MariadbValues, MariadbToSqliteKeepsEveryValue) {
  Mariadb(database_, kMatrix);
  Plan(url_, SqliteUrl(sqlite_));
  CopyAndVerify();
  RunResult inventory = RunPeerlock({"inventory", "--plan", plan_, "--state", state_});
  EXPECT_EQ(inventory.exit_code, 0) << inventory.Describe();
  EXPECT_NE(inventory.out.find("matrix.zdn holds 1 zero or partial-zero date(s)"),
            std::string::npos)
      << inventory.Describe();
  Db db(sqlite_);
  auto text = [&](const std::string& expr, int id) {
    return db.Text("SELECT coalesce(CAST(" + expr +
                   " AS TEXT), '<null>') FROM matrix WHERE id = " + std::to_string(id));
  };
  EXPECT_EQ(text("d", 1), kDecimalMax);
  EXPECT_EQ(text("d", 2), "-0.000000000000000000000000000001");
  auto rows = db.Rows("SELECT f, dbl FROM matrix ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], VReal(0.1));
  EXPECT_EQ(rows[0][1], VReal(0.1));
  EXPECT_EQ(rows[1][0], VReal(1.2345678));
  EXPECT_EQ(rows[1][1], VReal(5e-324));
  EXPECT_EQ(rows[2][1], VReal(0.30000000000000004));
  // At the range's edge the float's shortest decimal rounds past FLT_MAX: its exact double.
  EXPECT_EQ(rows[3][0], VReal(static_cast<double>(-3.4028234e38f)));
  EXPECT_EQ(rows[3][1], VReal(1.7976931348623157e308));
  EXPECT_EQ(text("t", 1), "838:59:59");
  EXPECT_EQ(text("t", 2), "-12:00:00");
  EXPECT_EQ(text("dt3", 1), "2024-12-31 23:59:59.999");
  EXPECT_EQ(text("e", 1), "");
  EXPECT_EQ(text("st", 1), "read,write");
  EXPECT_EQ(text("st", 2), "");
  EXPECT_EQ(text("hex(bin)", 1), "61620000");
  EXPECT_EQ(text("hex(bin)", 2), "00000000");
  EXPECT_EQ(text("vc", 1), "trail  ");
  EXPECT_EQ(text("vc", 2), "");
  EXPECT_EQ(text("vc", 3), "<null>");
  EXPECT_EQ(text("vc", 4), "\\N");
  EXPECT_EQ(text("txt", 1), "emoji 😀 ünï");
  EXPECT_EQ(text("txt", 2), "\\N");
  EXPECT_EQ(text("txt", 3), "tab\there\nnew\\line\rcr");
  EXPECT_EQ(text("bits", 1), "0000000000001000");
  EXPECT_EQ(text("bits", 4), "1111111111111111");
  EXPECT_EQ(text("zd", 1), "<null>");
  EXPECT_EQ(text("zd", 2), "<null>");
  EXPECT_EQ(text("zdn", 1), "<null>");
  EXPECT_EQ(text("zdn", 2), "2024-02-29");
  EXPECT_EQ(text("b", 1), "1");
  EXPECT_EQ(text("i64", 1), "9223372036854775807");
}

// SQLite's INTEGER is signed 64-bit and would round a larger value to a REAL: the copy stops,
// naming table, key, column and the plan's way out, which then carries the value exactly.
TEST_F(MariadbValues, BigintUnsignedMaxIntoSqliteStopsThenTravelsExactlyAsDecimal) {
  Mariadb(database_,
          "CREATE TABLE big (id INT PRIMARY KEY, n BIGINT UNSIGNED);"
          "INSERT INTO big VALUES (1, 5), (2, 18446744073709551615), (3, NULL)");
  Plan(url_, SqliteUrl(sqlite_));
  RunResult refused = RunPeerlock({"copy", "--plan", plan_, "--state", state_});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  for (const char* part :
       {"table big key id=2 column 'n'", "18446744073709551615", "cast: \"decimal(20,0)\""})
    EXPECT_NE(refused.err.find(part), std::string::npos) << part << "\n" << refused.Describe();
  {
    Db db(sqlite_);  // the refused chunk left nothing behind
    EXPECT_EQ(db.Text("SELECT count(*) FROM big"), "0");
  }

  WriteFile(plan_, ReadFile(plan_) +
                       "transform:\n  big:\n    columns:\n      n: {cast: \"decimal(20,0)\"}\n");
  std::filesystem::remove(sqlite_);
  std::filesystem::remove_all(state_);
  CopyAndVerify();
  Db db(sqlite_);
  EXPECT_EQ(db.Text("SELECT group_concat(coalesce(n, '<null>'), ' ') FROM (SELECT n FROM big "
                    "ORDER BY id)"),
            "5 18446744073709551615 <null>");
  EXPECT_EQ(db.Text("SELECT typeof(n) FROM big WHERE id = 2"), "text");
}

TEST_F(MariadbValues, SqliteToMariadbKeepsEveryValue) {
  {
    Db db(sqlite_);
    ASSERT_TRUE(db.Exec(R"sql(
      CREATE TABLE m (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB,
                      d DECIMAL(10,2), at TIMESTAMP, day DATE, flag BOOLEAN, vc VARCHAR(10));
    )sql"));
    ASSERT_TRUE(
        db.Run("INSERT INTO m VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
               {VInt(1), VInt(9223372036854775807LL), VReal(0.1), VText("trail  "),
                VBlob(std::string("\0\xff\0\x10", 4)), VText("12.50"),
                VText("2024-12-31 23:59:59.999"), VText("2024-02-29"), VInt(1), VText("😀")}));
    ASSERT_TRUE(db.Run("INSERT INTO m VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                       {VInt(2), VInt(INT64_MIN), VReal(5e-324), VText(""), VBlob(""),
                        VText("-0.01"), VNull(), VNull(), VInt(0), VText("")}));
    ASSERT_TRUE(db.Run("INSERT INTO m VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                       {VInt(3), VNull(), VReal(1.7976931348623157e308), VText("\\N"), VBlob("\\N"),
                        VNull(), VNull(), VNull(), VNull(), VText("\\N")}));
    ASSERT_TRUE(
        db.Run("INSERT INTO m VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
               {VInt(4), VInt(0), VReal(0.30000000000000004), VText("tab\tnl\nback\\slash\rcr"),
                VBlob(std::string("a\tb\n\\", 5)), VInt(3), VText("0001-01-01 00:00:00"),
                VText("9999-12-31"), VNull(), VNull()}));
  }
  Plan(SqliteUrl(sqlite_), target_url_);
  CopyAndVerify();
  EXPECT_EQ(
      Mariadb(target_database_,
              "SELECT id, i, r, hex(t), hex(b), d, at, day, flag, hex(vc) FROM m ORDER BY id"),
      "1\t9223372036854775807\t0.1\t747261696C2020\t00FF0010\t12.50\t"
      "2024-12-31 23:59:59.999000\t2024-02-29\t1\tF09F9880\n"
      "2\t-9223372036854775808\t5e-324\t\t\t-0.01\tNULL\tNULL\t0\t\n"
      "3\tNULL\t1.7976931348623157e308\t5C4E\t5C4E\tNULL\tNULL\tNULL\tNULL\t5C4E\n"
      "4\t0\t0.30000000000000004\t746162096E6C0A6261636B5C736C6173680D6372\t"
      "6109620A5C\t3.00\t0001-01-01 00:00:00.000000\t9999-12-31\tNULL\tNULL\n");
  // '' and NULL stay apart.
  EXPECT_EQ(Mariadb(target_database_, "SELECT count(*) FROM m WHERE t = '' AND b = ''"), "1\n");
}

TEST_F(MariadbValues, MariadbToMariadbKeepsEveryValue) {
  Mariadb(database_, kMatrix);
  Mariadb(database_, "UPDATE matrix SET i64 = 18446744073709551615 WHERE id = 1");
  Plan(url_, target_url_);
  CopyAndVerify();
  // Zero dates are carried as NULL (and reported); every other value is identical.
  EXPECT_EQ(Mariadb(target_database_, "SELECT count(*) FROM matrix WHERE zd IS NULL"), "3\n");
  const std::string same =
      "SELECT id, d, CAST(f AS DOUBLE), dbl, t, dt3, ts, e, st, hex(bin), hex(vc), hex(txt), bits "
      "+ 0, j, b, y, "
      "i64 FROM matrix ORDER BY id";
  EXPECT_EQ(Mariadb(target_database_, same), Mariadb(database_, same));
  EXPECT_NE(
      Mariadb(target_database_, "SELECT i64 FROM matrix WHERE id = 1").find("18446744073709551615"),
      std::string::npos);
}

// A geometry's SRID is part of its value: carried MariaDB -> MariaDB, and a changed SRID (same
// coordinates) is a difference verify names.
TEST_F(MariadbValues, MariadbToMariadbKeepsTheSridOfAGeometryAndVerifyComparesIt) {
  Mariadb(database_,
          "CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY NULL);"
          "INSERT INTO geo VALUES (1, ST_GeomFromText('POINT(4.9 52.37)', 4326)), "
          "(2, ST_GeomFromText('LINESTRING(0 0,1 1)')), (3, NULL);");
  Plan(url_, target_url_);
  CopyAndVerify();
  const std::string same = "SELECT id, ST_SRID(g), ST_AsText(g) FROM geo ORDER BY id";
  EXPECT_EQ(Mariadb(target_database_, same), Mariadb(database_, same));
  EXPECT_EQ(Mariadb(target_database_, "SELECT ST_SRID(g) FROM geo WHERE id = 1"), "4326\n");

  Mariadb(target_database_, "UPDATE geo SET g = ST_GeomFromText(ST_AsText(g), 3857) WHERE id = 1");
  RunResult verify = RunPeerlock({"verify", "--json", "--plan", plan_, "--state", state_});
  EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
  json v = json::parse(verify.out, nullptr, false);
  ASSERT_TRUE(v.is_object()) << verify.Describe();
  EXPECT_FALSE(v["equal"].get<bool>());
  EXPECT_NE(verify.out.find("geo"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace peerlock::scenario
