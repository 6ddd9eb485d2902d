// The type matrix through the real binary against the throwaway PostgreSQL server: every
// built-in type family at its extremes, PostgreSQL -> PostgreSQL compared by the rows' own
// text (`t::text`, which the server prints from the stored value), then the same values
// PostgreSQL -> SQLite -> PostgreSQL, and SQLite -> PostgreSQL with every bit checked.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using pg::CompareRowText;
using pg::NewDb;
using pg::Psql;
using pg::PsqlInt;
using pg::PsqlTexts;

// One type family: DDL creating table `t` (with `id` as primary key) and whatever types it
// needs, and the rows.
struct TypeCase {
  std::string name;
  std::string ddl;
  std::string rows;  // INSERT statements
};

void PrintTo(const TypeCase& c, std::ostream* os) { *os << c.name; }

const std::vector<TypeCase>& Cases() {
  static const std::vector<TypeCase> cases = {
      {"integers", "CREATE TABLE t (id int PRIMARY KEY, s smallint, i integer, b bigint);",
       R"sql(INSERT INTO t VALUES
         (1, -32768, -2147483648, -9223372036854775808),
         (2, 32767, 2147483647, 9223372036854775807),
         (3, 0, 0, 0), (4, NULL, NULL, NULL), (5, -1, -1, -1);)sql"},

      {"numeric",
       "CREATE TABLE t (id int PRIMARY KEY, n numeric, p numeric(10,2), w numeric(1000,500),"
       " neg numeric(5,-2));",
       R"sql(INSERT INTO t VALUES
         (1, 'NaN', 'NaN', 'NaN', 'NaN'),
         (2, 'Infinity', 12345678.90, 0, 12300),
         (3, '-Infinity', -99999999.99, -0.5, -9999900),
         (4, repeat('9', 1000)::numeric, 0.00, (repeat('9', 500) || '.' || repeat('9', 500))::numeric, 0),
         (5, ('-0.' || repeat('0', 999) || '1')::numeric, -0.01,
             ('-' || repeat('1', 500) || '.' || repeat('2', 499) || '3')::numeric, 100),
         (6, ('-' || repeat('7', 600) || '.' || repeat('1', 400) || '0000')::numeric, 1, 1, NULL),
         (7, '-0', 0.1, 0.10, NULL),
         (8, 1e-16383, NULL, NULL, NULL),
         (9, 12.500, 12.5, 12.50000, 50),
         (10, NULL, NULL, NULL, NULL);)sql"},

      {"money", "CREATE TABLE t (id int PRIMARY KEY, m money);",
       R"sql(INSERT INTO t VALUES (1, '-92233720368547758.08'), (2, '92233720368547758.07'),
         (3, 0), (4, '1.23'), (5, '-0.01'), (6, NULL);)sql"},

      {"floats", "CREATE TABLE t (id int PRIMARY KEY, r real, d double precision);",
       R"sql(INSERT INTO t VALUES
         (1, 'NaN', 'NaN'), (2, 'Infinity', 'Infinity'), (3, '-Infinity', '-Infinity'),
         (4, '-0', '-0'), (5, '1.4e-45', '5e-324'),
         (6, '3.4028235e38', '1.7976931348623157e308'),
         (7, '0.1', '0.1'), (8, '1.1754944e-38', '2.2250738585072014e-308'),
         (9, '0.3', '0.30000000000000004'), (10, '-1.2345679e-20', '-1e+300'),
         (11, '16777216', '9007199254740993'), (12, 0, 0), (13, NULL, NULL);)sql"},

      {"text",
       "CREATE TABLE t (id int PRIMARY KEY, s text, v varchar(10), c char(5),"
       " q \"char\", n name);",
       R"sql(INSERT INTO t VALUES
         (1, '', '', '', '', ''),
         (2, 'trailing  ', 'ab  ', 'ab', 'x', 'trailing '),
         (3, '😀 grin 👨‍👩‍👧 e' || U&'\0301' || ' 漢字', 'ü😀é', '😀', 'y', '😀'),
         (4, E'tab\there\nnewline\r\n\\back\\slash\\', E'\\N', E'\t', E'\\', E'a\nb'),
         (5, E'\\N', E'\\.', E'\\.', '.', E'\\N'),
         (6, 'NULL', 'NULL', 'NULL', 'N', 'NULL'),
         (7, NULL, NULL, NULL, NULL, NULL),
         (8, repeat('long text ', 100000), repeat('z', 10), 'abcde', 'z', repeat('n', 63)),
         (9, '"quotes" and ''apostrophes'' | pipes, commas; {braces}', '"', '''', '"', '"'),
         (10, E'\x01\x02\x1f\x7f control', E'\x7f', E'\x01', E'\x01', E'\x1f'),
         (11, ' ', ' ', ' ', ' ', ' ');)sql"},

      {"bytea", "CREATE TABLE t (id int PRIMARY KEY, b bytea);",
       R"sql(INSERT INTO t VALUES
         (1, '\x00'), (2, ''), (3, NULL), (4, '\x5c4e'), (5, '\x5c2e0a'),
         (6, (SELECT decode(string_agg(lpad(to_hex(g), 2, '0'), '' ORDER BY g), 'hex')
              FROM generate_series(0, 255) g)),
         (7, (SELECT decode(string_agg(lpad(to_hex(g), 2, '0'), '' ORDER BY g DESC), 'hex')
              FROM generate_series(0, 255) g)),
         (8, decode(repeat('00ff5c0a0d09', 200000), 'hex')),
         (9, convert_to('NULL', 'UTF8'));)sql"},

      {"bool", "CREATE TABLE t (id int PRIMARY KEY, b boolean);",
       "INSERT INTO t VALUES (1, true), (2, false), (3, NULL);"},

      {"date", "CREATE TABLE t (id int PRIMARY KEY, d date);",
       R"sql(INSERT INTO t VALUES (1, '4713-01-01 BC'), (2, '5874897-12-31'), (3, 'infinity'),
         (4, '-infinity'), (5, '0044-03-15 BC'), (6, '2000-02-29'), (7, '0001-01-01'),
         (8, '0001-12-31 BC'), (9, '1582-10-10'), (10, NULL);)sql"},

      {"time", "CREATE TABLE t (id int PRIMARY KEY, t time, tz timetz, t0 time(0));",
       R"sql(INSERT INTO t VALUES
         (1, '00:00:00', '00:00:00+15:59', '00:00:00'),
         (2, '23:59:59.999999', '23:59:59.999999-15:59', '23:59:59'),
         (3, '24:00:00', '24:00:00-15:59', '24:00:00'),
         (4, '12:34:56.5', '12:34:56.789+05:30', '12:34:56'),
         (5, '00:00:00.000001', '01:02:03+05:45', '01:02:03'),
         (6, NULL, NULL, NULL);)sql"},

      {"timestamp", "CREATE TABLE t (id int PRIMARY KEY, ts timestamp, ts3 timestamp(3));",
       R"sql(INSERT INTO t VALUES
         (1, '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00 BC'),
         (2, '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999'),
         (3, 'infinity', 'infinity'), (4, '-infinity', '-infinity'),
         (5, '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00.001'),
         (6, '0044-03-15 12:00:00 BC', '1970-01-01 00:00:00'),
         (7, '2024-03-10 02:30:00', '2024-02-29 23:59:59.999'), (8, NULL, NULL);)sql"},

      {"timestamptz", "CREATE TABLE t (id int PRIMARY KEY, ts timestamptz, ts0 timestamptz(0));",
       R"sql(INSERT INTO t VALUES
         (1, '4713-01-01 00:00:00+00 BC', '4713-01-01 00:00:00+00 BC'),
         (2, '294276-12-31 23:59:59.999999+00', '294276-12-31 23:59:59+00'),
         (3, 'infinity', 'infinity'), (4, '-infinity', '-infinity'),
         (5, '2024-03-10 02:30:00 America/New_York', '2024-11-03 01:30:00 America/New_York'),
         (6, '1900-01-01 12:00:00+05:53:28', '1900-01-01 12:00:00+05:53:28'),
         (7, '2024-01-15 10:00:00.123456+05:30', '2024-01-15 10:00:00+05:45'),
         (8, '0044-03-15 12:00:00+01 BC', '2000-01-01 00:00:00-15:59'), (9, NULL, NULL);)sql"},

      {"interval", "CREATE TABLE t (id int PRIMARY KEY, i interval, i3 interval(3));",
       R"sql(INSERT INTO t VALUES
         (1, '-1 years -2 mons +3 days -04:05:06.000007', '-1 years -2 mons +3 days -04:05:06.007'),
         (2, '1 mon -30 days', '1 mon -30 days'),
         (3, '178000000 years', '-178000000 years'),
         (4, '2147483647 days', '-2147483648 days'),
         (5, '2562047788:00:54.775807', '-2562047788:00:54.775'),
         (6, '0', '-0.001 seconds'), (7, '-0.000001 seconds', '1 day 25:00:00'),
         (8, '178000000 years 2147483647 days 2562047788:00:54.775807', '1 mon'),
         (9, NULL, NULL);)sql"},

      {"uuid", "CREATE TABLE t (id int PRIMARY KEY, u uuid);",
       R"sql(INSERT INTO t VALUES (1, '00000000-0000-0000-0000-000000000000'),
         (2, 'ffffffff-ffff-ffff-ffff-ffffffffffff'), (3, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'),
         (4, NULL);)sql"},

      {"json", "CREATE TABLE t (id int PRIMARY KEY, j json, b jsonb);",
       R"sql(INSERT INTO t VALUES
         (1, '{"b":1,"a":2,"b":3}', '{"b":1,"a":[1,2.50,{"c":null}]}'),
         (2, '  [1, 2.50, 1e2 ]  ', '[1, 2.50, 1e2, -0, 1e400]'),
         (3, '"\u0000 esc \ud83d\ude00 \" \\ \/"', '"😀 \t tab \" \\ \u00e9"'),
         (4, 'null', 'null'), (5, NULL, NULL), (6, '{}', '{}'), (7, '[]', '[]'),
         (8, E'{\n  "nested": {"k": [{"x": "\\\\"}], "z": true}\n}',
             '{"nested": {"k": [{"x": "\\"}], "z": true, "a": false}}'),
         (9, '12345678901234567890.123456789', '-12345678901234567890.123456789'),
         (10, '"NULL"', '""');)sql"},

      {"xml", "CREATE TABLE t (id int PRIMARY KEY, x xml);",
       R"sql(INSERT INTO t VALUES (1, '<a b="1">x &amp; y</a>'), (2, 'text <b/> fragment'),
         (3, '<?xml version="1.0"?><r><![CDATA[<raw>]]></r>'), (4, ''), (5, NULL),
         (6, '<e>😀 tab	nl
</e>');)sql"},

      {"network", "CREATE TABLE t (id int PRIMARY KEY, i inet, c cidr, m macaddr, m8 macaddr8);",
       R"sql(INSERT INTO t VALUES
         (1, '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05'),
         (2, '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff'),
         (3, '::ffff:1.2.3.4/128', '0.0.0.0/0', '00:00:00:00:00:00', '08002b:0102030405'),
         (4, '2001:db8::1/64', '::/0', '0800.2b01.0203', '00:00:00:00:00:00:00:00'),
         (5, NULL, NULL, NULL, NULL);)sql"},

      {"bits", "CREATE TABLE t (id int PRIMARY KEY, b bit(8), v varbit, v5 bit varying(5));",
       R"sql(INSERT INTO t VALUES (1, B'10101010', B'', B''), (2, B'00000000', B'1', B'0'),
         (3, B'11111111', B'0000000000001000', B'10101'),
         (4, B'00000001', repeat('10', 5000)::varbit, B'1'), (5, NULL, NULL, NULL);)sql"},

      {"arrays",
       "CREATE TABLE t (id int PRIMARY KEY, a int[], s text[], f float8[], m int[][],"
       " ts timestamptz[], b bytea[], j jsonb[]);",
       R"sql(INSERT INTO t VALUES
         (1, '{1,NULL,-2147483648}', E'{"a,b","c\\"d",NULL,"NULL","","x\\\\y"," sp "}',
             '{NaN,-0,Infinity,-Infinity,5e-324,0.1}', '{{1,2},{3,4}}',
             '{"2024-01-15 10:00:00+05:30",infinity,NULL}', E'{"\\\\x00ff",NULL,"\\\\x"}',
             ARRAY['{"b":1,"a":2}'::jsonb, 'null'::jsonb, NULL]),
         (2, '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
         (3, '[0:1]={5,6}', E'{"😀","\t","\\\\n","{}"}', '{1e308}', '[2:3][-1:0]={{1,2},{3,4}}',
             NULL, NULL, NULL),
         (4, '{NULL}', '{NULL,NULL}', '{NULL}', '{{NULL,NULL},{NULL,NULL}}', '{NULL}', '{NULL}',
             '{NULL}'),
         (5, NULL, E'{"{braces}","quote\\"d","back\\\\slash","NULL",null}', NULL, NULL, NULL,
             NULL, NULL);)sql"},

      {"enum",
       "CREATE TYPE mood AS ENUM ('sad', 'ok', '😀 happy', 'it''s', 'with,comma', 'NULL', 'x y');"
       "ALTER TYPE mood ADD VALUE 'before sad' BEFORE 'sad';"
       "CREATE TABLE t (id int PRIMARY KEY, m mood, ms mood[]);",
       R"sql(INSERT INTO t VALUES (1, 'sad', '{sad,ok}'), (2, '😀 happy', '{"😀 happy",NULL}'),
         (3, 'it''s', E'{"it''s","with,comma"}'), (4, 'NULL', '{"NULL"}'), (5, 'x y', '{"x y"}'),
         (6, 'before sad', '{}'), (7, NULL, NULL);)sql"},

      {"domain",
       "CREATE DOMAIN posint AS int CHECK (VALUE > 0);"
       "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');"
       "CREATE DOMAIN price AS numeric(12,2) NOT NULL DEFAULT 0;"
       "CREATE DOMAIN tags AS text[];"
       "CREATE TABLE t (id int PRIMARY KEY, p posint, e email, pr price, tg tags);",
       R"sql(INSERT INTO t VALUES (1, 2147483647, 'a@b', 9999999999.99, '{a,"b c"}'),
         (2, 1, '😀@😀', -0.01, '{}'), (3, NULL, NULL, 'NaN', NULL);)sql"},

      {"composite",
       "CREATE TYPE mood2 AS ENUM ('meh', 'yay');"
       "CREATE TYPE pair AS (a int, b text, c numeric, m mood2);"
       "CREATE TYPE nest AS (p pair, tags text[], at timestamptz);"
       "CREATE TABLE t (id int PRIMARY KEY, p pair, n nest, ps pair[]);",
       R"sql(INSERT INTO t VALUES
         (1, ROW(1, 'x y', 1.50, 'yay'), ROW(ROW(2, 'in', 'NaN', 'meh'), '{a,NULL}',
             '2024-01-15 10:00:00+05:30'), ARRAY[ROW(3, 'q', 0, NULL)::pair]),
         (2, ROW(NULL, NULL, NULL, NULL), ROW(NULL, NULL, NULL), '{}'),
         (3, ROW(2, '', NULL, 'meh'), ROW(ROW(NULL, E'with "quote", comma\\', -1, NULL),
             '{}', 'infinity'), NULL),
         (4, NULL, NULL, NULL);)sql"},

      {"ranges",
       "CREATE TABLE t (id int PRIMARY KEY, i int4range, b int8range, n numrange,"
       " ts tsrange, tz tstzrange, d daterange, mr int4multirange);",
       R"sql(INSERT INTO t VALUES
         (1, '[1,10)', '[-9223372036854775808,9223372036854775807)', '[1.50,2.5]',
             '[2024-01-01,2024-02-01)', '[2020-01-01 00:00+05:30,infinity)', '[2024-01-01,)',
             '{[1,3),[5,7)}'),
         (2, 'empty', 'empty', 'empty', 'empty', 'empty', 'empty', '{}'),
         (3, '(,5]', '(,)', '(NaN,)', '(-infinity,infinity)', '(,)',
             '[4713-01-01 BC,5874897-12-31)', '{(,)}'),
         (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL);)sql"},

      {"tsvector", "CREATE TABLE t (id int PRIMARY KEY, v tsvector, q tsquery);",
       R"sql(INSERT INTO t VALUES (1, 'a fat cat:1A,2B sat', 'fat & (rat | cat)'),
         (2, $$'with space' 'quote''s' 😀$$, $$'it''s' <-> !x:*$$), (3, '', 'a'),
         (4, NULL, NULL);)sql"},

      // A tsquery without lexemes is a legal value (the server stores it with a notice).
      {"empty_tsquery", "CREATE TABLE t (id int PRIMARY KEY, q tsquery);",
       "INSERT INTO t VALUES (1, ''), (2, 'a & b'), (3, NULL);"},

      {"geometry",
       "CREATE TABLE t (id int PRIMARY KEY, p point, b box, c circle, l line, s lseg,"
       " pa path, po polygon);",
       R"sql(INSERT INTO t VALUES
         (1, '(1.5,-2)', '(1,1),(0,0)', '<(0,0),1e-300>', '{1,-1,0}', '[(0,0),(1,1)]',
             '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))'),
         (2, '(NaN,Infinity)', '(0.1,0.2),(-0,-0)', '<(0.1,0.1),0>', '{0,1,-0.3}',
             '[(-0,5e-324),(1,1)]', '((0,0))', '((0,0))'),
         (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);)sql"},
  };
  return cases;
}

// Source and target databases of the current test, a plan between them.
class PgTypes : public ::testing::TestWithParam<TypeCase> {
 protected:
  void MakeSource(const std::string& ddl, const std::string& rows) {
    source_ = NewDb("src");
    target_ = NewDb("dst");
    Psql(source_, ddl);
    Psql(source_, rows);
    ws_.Plan(source_, target_, "copy:\n  workers: 2\n");
  }

  // copy, then verify: both succeed and verify says EQUAL.
  void CopyAndVerify() {
    RunResult copy = ws_.Run("copy");
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
  }

  std::string source_, target_;
  pg::Workspace ws_;
};

TEST_P(PgTypes, PgToPgExact) {
  const TypeCase& c = GetParam();
  MakeSource(c.ddl, c.rows);
  int64_t rows = PsqlInt(source_, "SELECT count(*) FROM t");
  ASSERT_GT(rows, 0);
  CopyAndVerify();
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM t"), rows);
  EXPECT_EQ(CompareRowText(source_, target_, "t", "id"), "");
  // The column types themselves, typmods included (numeric(10,2), char(5), timestamp(3)).
  std::string types =
      "SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
      "WHERE a.attrelid = 't'::regclass AND a.attnum > 0 ORDER BY a.attnum";
  EXPECT_EQ(pg::CompareTexts(source_, target_, types, types), "");
}

// The same families into SQLite: each value is carried so that verify finds the copy equal,
// or the copy refuses it (exit 1, naming the column); a copy that succeeds while verify then
// finds a difference lost data silently.
TEST_P(PgTypes, PgToSqliteCarriedOrRefused) {
  const TypeCase& c = GetParam();
  source_ = NewDb("src");
  Psql(source_, c.ddl);
  Psql(source_, c.rows);
  int64_t rows = PsqlInt(source_, "SELECT count(*) FROM t");
  std::string sqlite_path = ws_.File("copy.db");
  ws_.Plan(source_, SqliteUrl(sqlite_path));
  RunResult copy = ws_.Run("copy");
  if (copy.exit_code == 1) {
    EXPECT_NE(copy.err.find("column"), std::string::npos) << copy.Describe();
    return;
  }
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  {
    Db db(sqlite_path);
    EXPECT_EQ(db.Int("SELECT count(*) FROM t"), rows);
  }
  RunResult verify = ws_.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << "the copy succeeded, but verify finds it different:\n"
                                 << verify.Describe();
}

INSTANTIATE_TEST_SUITE_P(Matrix, PgTypes, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<TypeCase>& info) {
                           return info.param.name;
                         });

// Every family at once in one migration: one table per family (types renamed apart), two
// workers, small chunks: the schema clone and the parallel copy see the whole matrix together.
TEST(PgTypesAll, WholeMatrixInOneCopy) {
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  std::vector<std::string> tables;
  for (const TypeCase& c : Cases()) {
    // Each family's DDL names its table `t`: build it, then rename it apart.
    Psql(source, c.ddl);
    Psql(source, c.rows);
    std::string name = "t_" + c.name;
    Psql(source, "ALTER TABLE t RENAME TO " + name);
    tables.push_back(name);
  }
  pg::Workspace ws;
  ws.Plan(source, target, "copy:\n  workers: 2\n  chunk_rows: 3\n");
  RunResult copy = ws.Run("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult verify = ws.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
  for (const std::string& t : tables) EXPECT_EQ(CompareRowText(source, target, t, "id"), "") << t;
}

// The copy's sessions must not depend on the databases' session defaults: the source prints
// in one time zone and date style, the target parses in others.
TEST(PgTypesAll, DatabasesWithOtherSessionDefaults) {
  std::string source = NewDb("src");
  std::string target = NewDb("dst");
  std::string src_db = pg::DbName("src"), dst_db = pg::DbName("dst");
  Psql(source, "ALTER DATABASE " + src_db + " SET timezone = 'Asia/Kathmandu'; ALTER DATABASE " +
                   src_db + " SET datestyle = 'SQL, DMY'; ALTER DATABASE " + src_db +
                   " SET intervalstyle = 'sql_standard'; ALTER DATABASE " + src_db +
                   " SET extra_float_digits = -3; ALTER DATABASE " + src_db +
                   " SET bytea_output = 'escape'");
  Psql(target, "ALTER DATABASE " + dst_db + " SET timezone = 'America/St_Johns'; ALTER DATABASE " +
                   dst_db + " SET datestyle = 'German, MDY'; ALTER DATABASE " + dst_db +
                   " SET intervalstyle = 'iso_8601'");
  for (const char* name : {"timestamptz", "timestamp", "date", "interval", "floats", "bytea",
                           "arrays", "ranges", "composite"}) {
    for (const TypeCase& c : Cases()) {
      if (c.name != name) continue;
      Psql(source, c.ddl);
      Psql(source, c.rows);
      Psql(source, "ALTER TABLE t RENAME TO t_" + c.name);
    }
  }
  pg::Workspace ws;
  ws.Plan(source, target);
  RunResult copy = ws.Run("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult verify = ws.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  // psql below sets its own fixed style for both sides (PsqlTexts), so texts compare values.
  for (const char* name : {"timestamptz", "timestamp", "date", "interval", "floats", "bytea",
                           "arrays", "ranges", "composite"})
    EXPECT_EQ(CompareRowText(source, target, std::string("t_") + name, "id"), "") << name;
}

// --- PostgreSQL -> SQLite -> PostgreSQL ---------------------------------------------------

// The values SQLite can hold exactly (no NaN, no -0 in a REAL column, no infinite numerics).
constexpr const char* kPortableDdl = R"sql(
  CREATE TABLE port (
    id bigint PRIMARY KEY, s smallint, i integer, b bigint, p numeric(10,2), n numeric,
    d double precision, t text, v varchar(20), bt bytea, ok boolean, dt date, tm time,
    ts timestamp, tz timestamptz, iv interval, u uuid, j jsonb, bits varbit);
)sql";

constexpr const char* kPortableRows = R"sql(
  INSERT INTO port VALUES
  (1, -32768, -2147483648, -9223372036854775808, -99999999.99,
      ('-' || repeat('7', 60) || '.' || repeat('1', 40))::numeric, -1.7976931348623157e308,
      '', '', '', false, '0001-01-01', '00:00:00', '2000-01-01 00:00:00.000001',
      '2024-01-15 10:00:00.123456+05:30', '-1 years -2 mons +3 days -04:05:06.000007',
      '00000000-0000-0000-0000-000000000000', '{"b":1,"a":[1,2.50,{"c":null}]}', B''),
  (2, 32767, 2147483647, 9223372036854775807, 99999999.99, 0.000000000000000000001,
      1.7976931348623157e308, '😀 grin 👨‍👩‍👧', 'trailing  ', '\x00', true, '9999-12-31',
      '23:59:59.999999', '1970-01-01 00:00:00', '1999-12-31 23:59:59+00', '1 mon -30 days',
      'ffffffff-ffff-ffff-ffff-ffffffffffff', '"😀 \t \u00e9"', B'0000000000001000'),
  (3, 0, 0, 0, 0.10, 12345678901234567890.123456789012345, 5e-324,
      E'tab\there\nnl\r\\back\\slash', E'\\N', (SELECT decode(string_agg(lpad(to_hex(g), 2, '0'),
      '' ORDER BY g), 'hex') FROM generate_series(0, 255) g), NULL, '2000-02-29', '12:00:00.5',
      '2024-02-29 12:34:56.789', '2024-03-10 02:30:00 America/New_York', '178000000 years',
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'null', B'1'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL),
  (5, -1, -1, -1, -0.01, -0.5, 0.1, 'NULL', 'NULL', 'NULL', true, '2024-01-15', '08:30:00',
      '2024-01-15 08:30:00', '2024-01-15 08:30:00+00', '0', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12',
      '[]', B'101'),
  (6, 7, 7, 7, 7, 0.30000000000000004, 0.30000000000000004, ' ', ' ', '\x5c4e', false,
      '1999-01-08', '23:59:59', '1999-01-08 04:05:06', '1999-01-08 04:05:06-08',
      '-0.000001 seconds', '12345678-1234-5678-1234-567812345678', '{"k":"v"}', B'0');
)sql";

TEST(PgTypesCross, PgToSqliteToPg) {
  std::string source = NewDb("src");
  std::string back = NewDb("back");
  Psql(source, kPortableDdl);
  Psql(source, kPortableRows);
  TempDir dir;
  std::string sqlite_path = dir.File("middle.db");

  pg::Workspace there;
  there.Plan(source, SqliteUrl(sqlite_path));
  RunResult copy = there.Run("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult verify = there.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();

  // In SQLite: integers as INTEGER, doubles bit for bit, bytea as BLOB, text byte for byte.
  {
    Db db(sqlite_path);
    auto rows = db.Rows("SELECT b, d, bt, t FROM port ORDER BY id");
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(rows[0][0], VInt(std::numeric_limits<int64_t>::min())) << rows[0][0].Describe();
    EXPECT_EQ(rows[1][0], VInt(std::numeric_limits<int64_t>::max())) << rows[1][0].Describe();
    EXPECT_EQ(rows[0][1], VReal(-1.7976931348623157e308)) << rows[0][1].Describe();
    EXPECT_EQ(rows[2][1], VReal(5e-324)) << rows[2][1].Describe();
    EXPECT_EQ(rows[5][1], VReal(0.30000000000000004)) << rows[5][1].Describe();
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    EXPECT_EQ(rows[2][2], VBlob(all)) << rows[2][2].Describe();
    EXPECT_EQ(rows[1][2], VBlob(std::string("\0", 1))) << rows[1][2].Describe();
    EXPECT_EQ(rows[0][3], VText("")) << rows[0][3].Describe();
    EXPECT_EQ(rows[3][3], VNull()) << rows[3][3].Describe();
    EXPECT_EQ(rows[4][3], VText("NULL")) << rows[4][3].Describe();
    EXPECT_EQ(rows[2][3], VText("tab\there\nnl\r\\back\\slash")) << rows[2][3].Describe();
    // The 1000-digit-class decimals are kept as exact text, not rounded through a double.
    EXPECT_EQ(db.Text("SELECT CAST(n AS TEXT) FROM port WHERE id = 3"),
              "12345678901234567890.123456789012345");
    EXPECT_EQ(db.Text("SELECT CAST(n AS TEXT) FROM port WHERE id = 1"),
              "-" + std::string(60, '7') + "." + std::string(40, '1'));
  }

  // And back into a fresh PostgreSQL database.
  pg::Workspace home;
  home.Plan(SqliteUrl(sqlite_path), back);
  RunResult copy_back = home.Run("copy");
  ASSERT_EQ(copy_back.exit_code, 0) << copy_back.Describe();
  RunResult verify_back = home.Run("verify");
  EXPECT_EQ(verify_back.exit_code, 0) << verify_back.Describe();
  EXPECT_NE(verify_back.out.find("EQUAL"), std::string::npos) << verify_back.Describe();

  // The values that come back as the same kind compare exactly by their text; the others
  // (stored in SQLite as text) by casting the returning text to the original type.
  std::string same =
      "SELECT concat_ws('|', id, s, i, b, p, n, d, t, v, encode(bt, 'hex'), ok, dt, tm, ts) "
      "FROM port ORDER BY id";
  EXPECT_EQ(pg::CompareTexts(source, back, same, same), "");
  std::string src_cast = "SELECT concat_ws('|', id, tz, iv, u, j, bits) FROM port ORDER BY id";
  std::string back_cast =
      "SELECT concat_ws('|', id, tz::text::timestamptz, iv::text::interval, u::text::uuid, "
      "j::text::jsonb, bits::text::varbit) FROM port ORDER BY id";
  EXPECT_EQ(pg::CompareTexts(source, back, src_cast, back_cast), "");
}

// --- SQLite -> PostgreSQL ------------------------------------------------------------------

// Bits of a double as PostgreSQL's float8send prints them (hex, big-endian).
std::string DoubleBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

TEST(PgTypesCross, SqliteToPgExactValues) {
  TempDir dir;
  std::string sqlite_path = dir.File("legacy.db");
  const double inf = std::numeric_limits<double>::infinity();
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  struct Src {
    int64_t id;
    Value i, r, t, b;
  };
  const std::vector<Src> src = {
      {1, VInt(std::numeric_limits<int64_t>::min()), VReal(0.1 + 0.2), VText(""), VBlob("")},
      {2, VInt(std::numeric_limits<int64_t>::max()), VReal(5e-324), VText("NULL"),
       VBlob(std::string("\0", 1))},
      {3, VNull(), VNull(), VNull(), VNull()},
      {4, VInt(0), VReal(1.7976931348623157e308), VText("\xF0\x9F\x98\x80 grin \xF0\x9F\x91\xA8"),
       VBlob(all)},
      {5, VInt(-1), VReal(-2.2250738585072014e-308), VText("tab\there\nnl\r\\N\\"),
       VBlob(std::string("a\0b\0", 4))},
      {6, VInt(1), VReal(1.0 / 3.0), VText("trailing  "), VBlob("NULL")},
      {7, VInt(2), VReal(inf), VText(" "), VBlob("\\N")},
      {8, VInt(3), VReal(-inf), VText("'quoted' \"double\""), VBlob("\n")},
      {9, VInt(4), VReal(123456789.12345679), VText("e\xCC\x81 vs \xC3\xA9"), VBlob("x")},
  };
  {
    Db db(sqlite_path);
    ASSERT_TRUE(
        db.Exec("CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)"));
    for (const Src& s : src)
      ASSERT_TRUE(
          db.Run("INSERT INTO vals VALUES (?1, ?2, ?3, ?4, ?5)", {VInt(s.id), s.i, s.r, s.t, s.b}));
  }
  std::string target = NewDb("dst");
  pg::Workspace ws;
  ws.Plan(SqliteUrl(sqlite_path), target, "copy:\n  chunk_rows: 4\n");
  RunResult copy = ws.Run("copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult verify = ws.Run("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();

  // Column types: integers as bigint, REAL as double precision, TEXT as text, BLOB as bytea.
  EXPECT_EQ(Psql(target,
                 "SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
                 "FROM pg_attribute WHERE attrelid = 'vals'::regclass AND attnum > 0"),
            "bigint,bigint,double precision,text,bytea");

  std::vector<std::string> got = PsqlTexts(
      target,
      "SELECT concat_ws('|', id, coalesce(i::text, '<null>'), "
      "coalesce(encode(float8send(r), 'hex'), '<null>'), coalesce('[' || t || ']', '<null>'), "
      "coalesce(encode(b, 'hex'), '<null>')) FROM vals ORDER BY id");
  ASSERT_EQ(got.size(), src.size());
  for (size_t k = 0; k < src.size(); ++k) {
    const Src& s = src[k];
    std::string want = std::to_string(s.id) + "|";
    want += s.i.type == SQLITE_NULL ? "<null>" : std::to_string(s.i.i);
    want += "|";
    want += s.r.type == SQLITE_NULL ? "<null>" : DoubleBits(s.r.f);
    want += "|";
    want += s.t.type == SQLITE_NULL ? "<null>" : "[" + s.t.s + "]";
    want += "|";
    want += s.b.type == SQLITE_NULL ? "<null>" : pg::Hex(s.b.s);
    EXPECT_EQ(got[k], want) << "row id " << s.id;
  }
}

// Decoded rows go to PostgreSQL as binary COPY; a value whose form the binary encoder declines
// (an exponent, a date-only or 7-digit timestamp, an offset in a zone-less timestamp) sends the
// rest of its chunk as text, in the same transaction. Either way each value is what PostgreSQL
// makes of its text, the typmod's rounding included.
TEST(PgTypesCross, SqliteToPgBinaryAndTextInOneChunk) {
  TempDir dir;
  std::string sqlite_path = dir.File("legacy.db");
  {
    Db db(sqlite_path);
    ASSERT_TRUE(db.Exec(
        "CREATE TABLE m (id INTEGER PRIMARY KEY, n DECIMAL(12,2), ts TIMESTAMP, d DATE, "
        "ok BOOLEAN, note TEXT);"
        "INSERT INTO m VALUES (1, 10.5, '2020-01-01 10:00:00', '2020-01-01', 1, 'a');"
        "INSERT INTO m VALUES (2, 0.005, '2020-02-29 23:59:59.999999', '2020-02-29', 0, NULL);"
        "INSERT INTO m VALUES (3, 1e-7, '2020-01-01', '2020-03-01', 1, 'c');"
        "INSERT INTO m VALUES (4, 67.4, '2021-06-01 00:00:00.1234567', '2021-06-01', 0, 'd');"
        "INSERT INTO m VALUES (5, -3, '2021-06-01 08:00:00+02:00', '1999-12-31', 1, 'e');"
        "INSERT INTO m VALUES (6, 12345.675, '1999-12-31 23:59:59', '0001-01-01', NULL, 'f');"));
  }
  std::string target = NewDb("dst");
  pg::Workspace ws;
  ws.Plan(SqliteUrl(sqlite_path), target, "copy:\n  chunk_rows: 3\n");
  RunResult copy = RunPeerlock({"-v", "copy", "--plan", ws.plan(), "--state", ws.state()});
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  // Row 3 of the first chunk and row 1 of the second (ids 3 and 4) switch to text.
  EXPECT_NE(copy.err.find("row 3 of the chunk has a value binary COPY does not take"),
            std::string::npos)
      << copy.Describe();
  EXPECT_NE(copy.err.find("row 1 of the chunk has a value binary COPY does not take"),
            std::string::npos)
      << copy.Describe();
  EXPECT_EQ(Psql(target,
                 "SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
                 "FROM pg_attribute WHERE attrelid = 'm'::regclass AND attnum > 0"),
            "bigint,numeric(12,2),timestamp without time zone,date,boolean,text");
  std::vector<std::string> got =
      PsqlTexts(target,
                "SELECT concat_ws('|', id, n, ts, d, coalesce(ok::text, '<null>'), "
                "coalesce(note, '<null>')) FROM m ORDER BY id");
  std::vector<std::string> want = {
      "1|10.50|2020-01-01 10:00:00|2020-01-01|true|a",
      "2|0.01|2020-02-29 23:59:59.999999|2020-02-29|false|<null>",
      "3|0.00|2020-01-01 00:00:00|2020-03-01|true|c",
      "4|67.40|2021-06-01 00:00:00.123457|2021-06-01|false|d",
      "5|-3.00|2021-06-01 08:00:00|1999-12-31|true|e",
      "6|12345.68|1999-12-31 23:59:59|0001-01-01|<null>|f",
  };
  // (verify would name rows 2 to 6: rounding to the scale and dropping an offset change them.)
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace peerlock::scenario
