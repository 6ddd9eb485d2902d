// Verify against PostgreSQL targets: after a correct copy, one changed value, one deleted row
// and one extra row on the target make verify exit 1, and `verify --json` names each by key
// (and the changed column). PostgreSQL -> PostgreSQL (in-database digests), a keyless table
// (compared as a multiset), and SQLite -> PostgreSQL (rows streamed and hashed canonically).

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;
using pg::NewDb;
using pg::Psql;

class PgVerify : public ::testing::Test {
 protected:
  void CopyOk() {
    RunResult copy = ws_.Run("copy");
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
    RunResult verify = ws_.Run("verify");
    ASSERT_EQ(verify.exit_code, 0) << verify.Describe();
    ASSERT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
  }

  // verify --json after the target was changed: exit 1, the document parsed, `table`'s entry.
  json VerifyJsonTable(const std::string& table, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult verify = ws_.Run("verify", args);
    EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
    json doc;
    try {
      doc = json::parse(verify.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "verify --json printed no JSON: " << e.what() << "\n" << verify.Describe();
      return json::object();
    }
    EXPECT_EQ(doc.value("equal", true), false) << doc.dump(1);
    for (const auto& t : doc["tables"])
      if (t.value("table", "") == table) return t;
    ADD_FAILURE() << "no entry for table " << table << " in " << doc.dump(1);
    return json::object();
  }

  // The difference of `kind` whose key has `column` == `value` (as text or number).
  static const json* Find(const json& table, const std::string& kind, const std::string& column,
                          const json& value) {
    if (!table.contains("differences") || !table["differences"].is_array()) return nullptr;
    for (const auto& d : table["differences"]) {
      if (d.value("kind", "") != kind) continue;
      const json& key = d.contains("key") ? d["key"] : json::object();
      if (!key.contains(column)) continue;
      const json& k = key[column];
      if (k == value ||
          (k.is_string() && value.is_number() && k.get<std::string>() == value.dump()))
        return &d;
    }
    return nullptr;
  }

  static bool NamesColumn(const json& difference, const std::string& column) {
    for (const auto& c : difference.value("columns", json::array()))
      if (c.is_string() && c.get<std::string>() == column) return true;
    return false;
  }

  // The rows that the differences of `kind` name, read back from PostgreSQL `url` by the
  // key each gives (a ctid for a table without a key), as kAuditRow-style text.
  std::vector<std::string> RowsNamed(const json& table, const std::string& kind,
                                     const std::string& url, const std::string& name,
                                     const std::string& row_text = kAuditRow) {
    std::vector<std::string> rows;
    if (!table.contains("differences")) return rows;
    for (const auto& d : table["differences"]) {
      if (d.value("kind", "") != kind) continue;
      const json& key = d.contains("key") ? d["key"] : json::object();
      if (key.size() != 1) {
        rows.push_back("<key " + key.dump() + " is not one locator>");
        continue;
      }
      const json& v = key.begin().value();
      std::string locator = v.is_string() ? v.get<std::string>() : v.dump();
      std::string quoted = "'";
      for (char c : locator) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      quoted += "'";
      test_servers::CommandResult r = test_servers::RunPsql(
          url, "SELECT " + row_text + " FROM " + name + " WHERE ctid = " + quoted + "::tid");
      std::string out = r.out;
      while (!out.empty() && out.back() == '\n') out.pop_back();
      bool one_row = r.exit_code == 0 && !out.empty() && out.find('\n') == std::string::npos;
      rows.push_back(one_row ? out : "<key " + key.dump() + " finds no row>");
    }
    return rows;
  }

  static inline const std::string kAuditRow = "concat_ws('|', actor, action, n)";

  std::string source_, target_;
  pg::Workspace ws_;
};

constexpr const char* kAccounts = R"sql(
  CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric(12,2),
                         opened date, tags jsonb);
  INSERT INTO accounts
  SELECT g, 'owner ' || g, g * 1.25, '2020-01-01'::date + g, jsonb_build_object('n', g)
  FROM generate_series(1, 20000) g;
)sql";

TEST_F(PgVerify, PgToPgNamesChangedMissingAndExtraRows) {
  source_ = NewDb("src");
  target_ = NewDb("dst");
  Psql(source_, kAccounts);
  ws_.Plan(source_, target_, "copy:\n  chunk_rows: 2000\n");
  CopyOk();

  Psql(target_,
       "UPDATE accounts SET balance = balance + 0.01 WHERE id = 777;"
       "DELETE FROM accounts WHERE id = 12345;"
       "INSERT INTO accounts VALUES (20001, 'intruder', 0, NULL, NULL);");
  json t = VerifyJsonTable("accounts");
  EXPECT_EQ(t.value("equal", true), false);
  EXPECT_EQ(t.value("source_rows", -1), 20000);
  EXPECT_EQ(t.value("target_rows", -1), 20000);
  const json* changed = Find(t, "changed", "id", 777);
  ASSERT_NE(changed, nullptr) << t.dump(1);
  EXPECT_TRUE(NamesColumn(*changed, "balance")) << changed->dump();
  EXPECT_FALSE(NamesColumn(*changed, "owner")) << changed->dump();
  EXPECT_NE(Find(t, "missing", "id", 12345), nullptr) << t.dump(1);
  EXPECT_NE(Find(t, "extra", "id", 20001), nullptr) << t.dump(1);
  EXPECT_EQ(t.value("differences", json::array()).size(), 3u) << t.dump(1);

  // The text form says DIFFERENT and names the keys too.
  RunResult text = ws_.Run("verify");
  EXPECT_EQ(text.exit_code, 1) << text.Describe();
  EXPECT_NE(text.out.find("DIFFERENT"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("12345"), std::string::npos) << text.out;
}

TEST_F(PgVerify, PgToPgEqualValuesInOtherSpellingsAreNotDifferences) {
  // A change that keeps the value (12.50 -> 12.5 in a numeric without scale, jsonb with other
  // key order) is no difference; a one-ulp change of a double, or -0 -> 0, is compared by value.
  source_ = NewDb("src");
  target_ = NewDb("dst");
  Psql(source_, R"sql(
    CREATE TABLE m (id integer PRIMARY KEY, n numeric, j jsonb, d double precision, t text);
    INSERT INTO m SELECT g, g + 0.50, jsonb_build_object('a', g, 'b', 'x'), g / 3.0, 'v' || g
    FROM generate_series(1, 100) g;
  )sql");
  ws_.Plan(source_, target_);
  CopyOk();
  Psql(target_,
       "UPDATE m SET n = 1.500 WHERE id = 1;"
       "UPDATE m SET j = '{\"b\": \"x\", \"a\": 2}' WHERE id = 2;");
  RunResult same = ws_.Run("verify");
  EXPECT_EQ(same.exit_code, 0) << same.Describe();

  Psql(target_, "UPDATE m SET d = d + 1e-15 WHERE id = 3; UPDATE m SET t = 'v4 ' WHERE id = 4;");
  json t = VerifyJsonTable("m");
  const json* d = Find(t, "changed", "id", 3);
  ASSERT_NE(d, nullptr) << t.dump(1);
  EXPECT_TRUE(NamesColumn(*d, "d")) << d->dump();
  const json* s = Find(t, "changed", "id", 4);
  ASSERT_NE(s, nullptr) << t.dump(1);
  EXPECT_TRUE(NamesColumn(*s, "t")) << s->dump();
  EXPECT_EQ(t.value("differences", json::array()).size(), 2u) << t.dump(1);
}

TEST_F(PgVerify, PgToPgKeylessTableIsAMultiset) {
  source_ = NewDb("src");
  target_ = NewDb("dst");
  Psql(source_, R"sql(
    CREATE TABLE audit (actor text, action text, n integer);
    INSERT INTO audit SELECT 'user ' || (g % 50), 'act ' || (g % 7), g % 3
    FROM generate_series(1, 10000) g;
    INSERT INTO audit SELECT 'twin', 'same', 1 FROM generate_series(1, 5);
  )sql");
  ws_.Plan(source_, target_, "copy:\n  chunk_rows: 1000\n");
  CopyOk();

  // One duplicate gone, another row changed, one new row: counts alone would hide part of it.
  std::string picked = "(SELECT min(ctid) FROM audit WHERE actor = 'user 7')";
  std::string before = Psql(target_, "SELECT " + kAuditRow + " FROM audit WHERE ctid = " + picked);
  std::string original_n = Psql(target_, "SELECT n FROM audit WHERE ctid = " + picked);
  Psql(target_,
       "DELETE FROM audit WHERE ctid = (SELECT min(ctid) FROM audit WHERE actor = "
       "'twin'); UPDATE audit SET n = 99 WHERE ctid = " +
           picked + "; INSERT INTO audit VALUES ('stranger', 'act 0', 0);");
  json t = VerifyJsonTable("audit");
  EXPECT_EQ(t.value("source_rows", -1), 10005);
  EXPECT_EQ(t.value("target_rows", -1), 10005);
  // Without a key a changed row is one missing and one extra row; each difference names the
  // row's position (ctid) on its side, which finds exactly that row.
  std::vector<std::string> extra = RowsNamed(t, "extra", target_, "audit");
  std::vector<std::string> missing = RowsNamed(t, "missing", source_, "audit");
  std::sort(extra.begin(), extra.end());
  std::sort(missing.begin(), missing.end());
  std::string changed = before.substr(0, before.rfind('|')) + "|99";
  std::vector<std::string> want_extra = {changed, "stranger|act 0|0"};
  std::sort(want_extra.begin(), want_extra.end());
  std::vector<std::string> want_missing = {before, "twin|same|1"};
  std::sort(want_missing.begin(), want_missing.end());
  EXPECT_EQ(extra, want_extra) << t.dump(1);
  EXPECT_EQ(missing, want_missing) << t.dump(1);

  // Only a duplicate's count differs: still a difference, naming one of the twins.
  Psql(target_, "DELETE FROM audit WHERE actor = 'stranger'; UPDATE audit SET n = " + original_n +
                    " WHERE n = 99; INSERT INTO audit VALUES ('twin', 'same', 1), "
                    "('twin', 'same', 1);");
  json t2 = VerifyJsonTable("audit");
  EXPECT_EQ(t2.value("target_rows", -1), 10006);
  EXPECT_EQ(RowsNamed(t2, "extra", target_, "audit"), std::vector<std::string>{"twin|same|1"})
      << t2.dump(1);
  EXPECT_EQ(RowsNamed(t2, "missing", source_, "audit"), std::vector<std::string>{}) << t2.dump(1);
}

TEST_F(PgVerify, SqliteToPgStreamedComparisonNamesRows) {
  std::string sqlite_path = ws_.File("legacy.db");
  {
    Db db(sqlite_path);
    ASSERT_TRUE(db.Exec(R"sql(
      BEGIN;
      CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 5000)
      INSERT INTO items SELECT x, 'item ' || x, x / 7.0, CAST('d' || x AS BLOB) FROM k;
      CREATE TABLE notes (body TEXT, weight INTEGER);
      WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 3000)
      INSERT INTO notes SELECT 'note ' || (x % 100), x % 4 FROM k;
      COMMIT;
    )sql"));
  }
  source_ = SqliteUrl(sqlite_path);
  target_ = NewDb("dst");
  ws_.Plan(source_, target_, "copy:\n  chunk_rows: 500\n");
  CopyOk();

  std::string picked = "(SELECT min(ctid) FROM notes WHERE body = 'note 5')";
  std::string before =
      Psql(target_, "SELECT concat_ws('|', body, weight) FROM notes WHERE ctid = " + picked);
  Psql(target_, R"sql(
    UPDATE items SET price = price * 2 WHERE id = 4242;
    UPDATE items SET data = '\x00' WHERE id = 17;
    DELETE FROM items WHERE id = 1;
    INSERT INTO items VALUES (5001, 'extra', 1.5, NULL);
    UPDATE notes SET weight = 42 WHERE ctid = (SELECT min(ctid) FROM notes WHERE body = 'note 5');
  )sql");
  json items = VerifyJsonTable("items");
  const json* price = Find(items, "changed", "id", 4242);
  ASSERT_NE(price, nullptr) << items.dump(1);
  EXPECT_TRUE(NamesColumn(*price, "price")) << price->dump();
  EXPECT_FALSE(NamesColumn(*price, "name")) << price->dump();
  const json* blob = Find(items, "changed", "id", 17);
  ASSERT_NE(blob, nullptr) << items.dump(1);
  EXPECT_TRUE(NamesColumn(*blob, "data")) << blob->dump();
  EXPECT_NE(Find(items, "missing", "id", 1), nullptr) << items.dump(1);
  EXPECT_NE(Find(items, "extra", "id", 5001), nullptr) << items.dump(1);
  EXPECT_EQ(items.value("differences", json::array()).size(), 4u) << items.dump(1);

  // The keyless table: the changed row is missing (named by the SQLite rowid) and extra (named
  // by its ctid on the target).
  json notes = VerifyJsonTable("notes");
  EXPECT_EQ(notes.value("equal", true), false) << notes.dump(1);
  EXPECT_EQ(RowsNamed(notes, "extra", target_, "notes", "concat_ws('|', body, weight)"),
            std::vector<std::string>{"note 5|42"})
      << notes.dump(1);
  std::vector<std::string> missing;
  for (const auto& d : notes["differences"]) {
    if (d.value("kind", "") != "missing") continue;
    int64_t rowid = d["key"].value("rowid", int64_t{-1});
    Db db(sqlite_path);
    auto rows =
        db.Query("SELECT body || '|' || weight FROM notes WHERE rowid = " + std::to_string(rowid));
    missing.push_back(rows.size() == 1 ? rows[0][0].value_or("?") : "<no row " + d.dump() + ">");
  }
  EXPECT_EQ(missing, std::vector<std::string>{before}) << notes.dump(1);

  // --tables narrows the comparison to one table.
  RunResult only = ws_.Run("verify", {"--json", "--tables", "notes"});
  EXPECT_EQ(only.exit_code, 1) << only.Describe();
  EXPECT_EQ(only.out.find("\"items\""), std::string::npos) << only.out;
}

TEST_F(PgVerify, PgToSqliteStreamedComparisonNamesRows) {
  source_ = NewDb("src");
  Psql(source_, kAccounts);
  std::string sqlite_path = ws_.File("copy.db");
  ws_.Plan(source_, SqliteUrl(sqlite_path), "copy:\n  chunk_rows: 2000\n");
  CopyOk();
  {
    Db db(sqlite_path);
    ASSERT_TRUE(
        db.Exec("UPDATE accounts SET owner = 'changed' WHERE id = 5;"
                "DELETE FROM accounts WHERE id = 19999;"));
  }
  json t = VerifyJsonTable("accounts");
  const json* changed = Find(t, "changed", "id", 5);
  ASSERT_NE(changed, nullptr) << t.dump(1);
  EXPECT_TRUE(NamesColumn(*changed, "owner")) << changed->dump();
  EXPECT_NE(Find(t, "missing", "id", 19999), nullptr) << t.dump(1);
  EXPECT_EQ(t.value("differences", json::array()).size(), 2u) << t.dump(1);
}

// --- PostgreSQL -> PostgreSQL: changes the server's own equality ignores -------------------
//
// Verify compares canonical values (../shared/CANONICAL.md). A value that a PostgreSQL type's
// equality (and so its hash function) calls equal may still be a different value: '1 mon' and
// '30 days' move a date differently, '{{1,2},{3,4}}' is not '{1,2,3,4}', a composite of NULLs
// is not NULL, 'Alice' is not 'alice' under a case-insensitive collation. Each such change on
// the target must make verify report the row and column.

struct SilentChange {
  std::string name;
  std::string update;  // run on the target after a correct copy
  int64_t id;
  std::string column;
};

void PrintTo(const SilentChange& c, std::ostream* os) { *os << c.name; }

class PgVerifyChanges : public PgVerify, public ::testing::WithParamInterface<SilentChange> {};

TEST_P(PgVerifyChanges, InDatabaseDigestSeesTheChange) {
  const SilentChange& c = GetParam();
  source_ = NewDb("src");
  target_ = NewDb("dst");
  Psql(source_, R"sql(
    CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
    CREATE TYPE pair AS (a integer, b text);
    CREATE TABLE v (id integer PRIMARY KEY, i interval, a integer[], p pair, e text COLLATE ci,
                    tz timestamptz);
    INSERT INTO v VALUES
      (1, '1 mon', '{{1,2},{3,4}}', NULL, 'alice@example.com', '2024-01-15 10:00:00+00'),
      (2, '1 day', '[0:1]={5,6}', ROW(1, 'x'), 'Bob@Example.com', '2024-01-15 10:00:00+00'),
      (3, '0', '{}', ROW(NULL, NULL), 'carol', '2024-01-15 10:00:00+00');
    INSERT INTO v SELECT g, g * interval '1 hour', ARRAY[g], ROW(g, 'r' || g)::pair, 'row' || g,
                         '2024-01-01'::timestamptz + g * interval '1 minute'
    FROM generate_series(4, 2000) g;
  )sql");
  ws_.Plan(source_, target_, "copy:\n  chunk_rows: 500\n");
  CopyOk();
  Psql(target_, c.update);
  json t = VerifyJsonTable("v");
  const json* d = Find(t, "changed", "id", c.id);
  ASSERT_NE(d, nullptr) << c.update << "\n" << t.dump(1);
  EXPECT_TRUE(NamesColumn(*d, c.column)) << d->dump();
}

INSTANTIATE_TEST_SUITE_P(
    Silent, PgVerifyChanges,
    ::testing::Values(
        SilentChange{"interval_month_to_days", "UPDATE v SET i = '30 days' WHERE id = 1", 1, "i"},
        SilentChange{"interval_day_to_hours", "UPDATE v SET i = '24:00:00' WHERE id = 2", 2, "i"},
        SilentChange{"array_2d_flattened", "UPDATE v SET a = '{1,2,3,4}' WHERE id = 1", 1, "a"},
        SilentChange{"array_lower_bound", "UPDATE v SET a = '{5,6}' WHERE id = 2", 2, "a"},
        SilentChange{"composite_null_to_nulls", "UPDATE v SET p = ROW(NULL, NULL) WHERE id = 1", 1,
                     "p"},
        SilentChange{"composite_nulls_to_null", "UPDATE v SET p = NULL WHERE id = 3", 3, "p"},
        SilentChange{"case_insensitive_collation", "UPDATE v SET e = upper(e) WHERE id = 1", 1,
                     "e"},
        // Controls: changes every comparison sees.
        SilentChange{"interval_value", "UPDATE v SET i = '2 mons' WHERE id = 1", 1, "i"},
        SilentChange{"array_element", "UPDATE v SET a = '{{1,2},{3,5}}' WHERE id = 1", 1, "a"},
        SilentChange{"timestamptz_instant",
                     "UPDATE v SET tz = tz + interval '1 microsecond' "
                     "WHERE id = 1500",
                     1500, "tz"}),
    [](const ::testing::TestParamInfo<SilentChange>& info) { return info.param.name; });

}  // namespace
}  // namespace peerlock::scenario
