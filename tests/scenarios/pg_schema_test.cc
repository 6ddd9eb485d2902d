// PostgreSQL -> PostgreSQL carries the schema as pg_dump would: types, enums, domains,
// composite types, identity and serial columns with their sequences' positions, generated
// columns, constraints (CHECK, UNIQUE, exclusion, deferrable foreign keys), partial and
// expression indexes, views, materialized views (populated), functions, triggers, comments;
// partitioned tables are read once through their root; tables without a key split into ctid
// chunks, each row copied once; composite text keys chunk in byte order. Inventory lists
// sequences, types, functions, partitions and warns about row-level security.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/pg_support.h"
#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using pg::CompareRowText;
using pg::CompareTexts;
using pg::NewDb;
using pg::Psql;
using pg::PsqlInt;

// A small shop using every schema feature above.
constexpr const char* kShopSchema = R"sql(
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped', 'it''s done');
CREATE DOMAIN positive_amount AS numeric(12,2) CHECK (VALUE >= 0);
CREATE TYPE address AS (street text, city text, zip varchar(10));

CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 3) PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  addr address,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_email_key UNIQUE (email),
  CONSTRAINT email_has_at CHECK (email LIKE '%@%')
);
COMMENT ON TABLE customers IS 'People who buy things 😀';
COMMENT ON COLUMN customers.addr IS 'where parcels go';

CREATE TABLE orders (
  id serial PRIMARY KEY,
  customer_id bigint NOT NULL
    CONSTRAINT orders_customer_fk REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
  status status NOT NULL DEFAULT 'new',
  amount positive_amount NOT NULL,
  qty integer NOT NULL CHECK (qty > 0),
  unit_price numeric(10,2) NOT NULL,
  total numeric(14,2) GENERATED ALWAYS AS (qty * unit_price) STORED,
  note text
);
CREATE INDEX orders_big_amount ON orders (amount) WHERE amount > 100;
CREATE INDEX customers_lower_email ON customers (lower(email));
CREATE UNIQUE INDEX orders_customer_note ON orders (customer_id, note) WHERE note IS NOT NULL;

-- A deferrable self-reference and a cycle through two tables.
CREATE TABLE staff (
  id integer PRIMARY KEY,
  boss_id integer REFERENCES staff (id) DEFERRABLE INITIALLY IMMEDIATE,
  name text
);

-- Exclusion on a built-in range type: gist needs no extension here.
CREATE TABLE bookings (
  id integer PRIMARY KEY,
  room integer NOT NULL,
  during tsrange NOT NULL,
  CONSTRAINT no_double_booking EXCLUDE USING gist (during WITH &&)
);

CREATE SEQUENCE invoice_no START 500 INCREMENT 7;
CREATE SEQUENCE not_called_yet START 42;

CREATE VIEW paid_orders AS
  SELECT id, customer_id, amount FROM orders WHERE status = 'paid';
CREATE MATERIALIZED VIEW customer_totals AS
  SELECT customer_id, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX customer_totals_customer ON customer_totals (customer_id);

CREATE FUNCTION touch_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.note := coalesce(NEW.note, '') || ' [touched]';
  RETURN NEW;
END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE OF note ON orders
  FOR EACH ROW EXECUTE FUNCTION touch_note();
CREATE FUNCTION order_count(c bigint) RETURNS bigint LANGUAGE sql STABLE
  AS 'SELECT count(*) FROM orders WHERE customer_id = c';
)sql";

constexpr const char* kShopRows = R"sql(
INSERT INTO customers (email, name, addr)
SELECT 'c' || g || '@example.com', 'Customer ' || g,
       CASE WHEN g % 5 = 0 THEN NULL ELSE ROW('Street ' || g, 'City', lpad(g::text, 5, '0'))::address END
FROM generate_series(1, 1000) g;
INSERT INTO orders (customer_id, status, amount, qty, unit_price, note)
SELECT 10 + 3 * (g % 1000), (ARRAY['new','paid','shipped','it''s done'])[1 + g % 4]::status,
       (g % 250) + 0.25, 1 + g % 9, (g % 77) + 0.99,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, 5000) g;
INSERT INTO staff VALUES (1, NULL, 'boss'), (2, 1, 'a'), (3, 2, 'b'), (4, 4, 'self');
INSERT INTO bookings SELECT g, g % 7, tsrange('2024-01-01'::timestamp + g * interval '1 hour',
                                              '2024-01-01'::timestamp + (g + 1) * interval '1 hour')
FROM generate_series(1, 300) g;
SELECT nextval('invoice_no'), nextval('invoice_no'), nextval('invoice_no');
-- Not max(id): the sequences stand well past the rows.
SELECT setval(pg_get_serial_sequence('customers', 'id'), 7777);
SELECT setval(pg_get_serial_sequence('orders', 'id'), 100000);
REFRESH MATERIALIZED VIEW customer_totals;
)sql";

class PgSchema : public ::testing::Test {
 protected:
  void Build(const std::string& schema, const std::string& rows, const std::string& extra = "") {
    source_ = NewDb("src");
    target_ = NewDb("dst");
    Psql(source_, schema);
    Psql(source_, rows);
    ws_.Plan(source_, target_, extra);
  }

  void CopyAndVerify() {
    copy_ = ws_.Run("copy");
    ASSERT_EQ(copy_.exit_code, 0) << copy_.Describe();
    RunResult verify = ws_.Run("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    EXPECT_NE(verify.out.find("EQUAL"), std::string::npos) << verify.Describe();
    EXPECT_EQ(Psql(target_, "SELECT to_regclass('public._peerlock_chunks') IS NULL"), "t")
        << "the chunk bookkeeping table outlived the copy";
  }

  // The same catalog query gives the same rows on both sides.
  void ExpectSameCatalog(const std::string& what, const std::string& select) {
    EXPECT_EQ(CompareTexts(source_, target_, select, select), "") << what;
  }

  // psql on the target must fail with `message` in its error.
  void ExpectTargetRejects(const std::string& sql, const std::string& message) {
    test_servers::CommandResult r = test_servers::RunPsql(target_, sql);
    EXPECT_NE(r.exit_code, 0) << "the target accepted: " << sql;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.Describe();
  }

  // The CHUNKS column of `table`'s line in the copy summary, -1 when absent.
  int64_t SummaryChunks(const std::string& table) const {
    for (const std::string& line : Lines(copy_.out)) {
      if (line.rfind(table + " ", 0) != 0) continue;
      std::vector<std::string> words;
      size_t pos = 0;
      while (pos < line.size()) {
        size_t end = line.find(' ', pos);
        if (end == std::string::npos) end = line.size();
        if (end > pos) words.push_back(line.substr(pos, end - pos));
        pos = end + 1;
      }
      // SOURCE TABLE, TARGET TABLE, ROWS, CHUNKS, SECONDS
      if (words.size() >= 5) return std::stoll(words[words.size() - 2]);
    }
    return -1;
  }

  std::string source_, target_;
  pg::Workspace ws_;
  RunResult copy_;
};

TEST_F(PgSchema, WholeSchemaDumpsIdentically) {
  Build(kShopSchema, kShopRows);
  CopyAndVerify();
  // pg_dump of the schema alone must read the same on both sides: every type, domain, table,
  // default, identity, generated column, constraint, index, view, function, trigger, comment.
  auto dump = [](const std::string& url) {
    test_servers::CommandResult r = test_servers::RunCommand(
        {"pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--dbname=" + url});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  };
  std::string source_dump = dump(source_), target_dump = dump(target_);
  EXPECT_FALSE(source_dump.empty());
  // pg_dump 15.14+ fences its output with \restrict / \unrestrict and a random key.
  auto lines = [](const std::string& dump) {
    std::vector<std::string> out;
    for (const std::string& line : Lines(dump))
      if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0)
        out.push_back(line);
    return out;
  };
  std::vector<std::string> src = lines(source_dump), tgt = lines(target_dump);
  for (size_t i = 0; i < std::min(src.size(), tgt.size()); ++i) {
    if (src[i] != tgt[i]) {
      ADD_FAILURE() << "schema dumps differ at line " << i + 1 << ":\n  source: " << src[i]
                    << "\n  target: " << tgt[i];
      break;
    }
  }
  EXPECT_EQ(src.size(), tgt.size());
  for (const char* table : {"customers", "orders", "staff", "bookings"})
    EXPECT_EQ(CompareRowText(source_, target_, table, "id"), "") << table;
}

TEST_F(PgSchema, EnumDomainCompositeTypes) {
  Build(kShopSchema, kShopRows);
  CopyAndVerify();
  ExpectSameCatalog("enum labels in order",
                    "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum "
                    "WHERE enumtypid = 'status'::regtype");
  ExpectSameCatalog("domain base type and check",
                    "SELECT format_type(t.typbasetype, t.typtypmod) || ' ' || "
                    "pg_get_constraintdef(c.oid) FROM pg_type t JOIN pg_constraint c ON "
                    "c.contypid = t.oid WHERE t.typname = 'positive_amount'");
  ExpectSameCatalog("composite attributes",
                    "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = (SELECT typrelid FROM pg_type WHERE typname = 'address') "
                    "ORDER BY attnum");
  // The domain's check works on the target.
  ExpectTargetRejects(
      "INSERT INTO orders (customer_id, amount, qty, unit_price) VALUES (10, -1, 1, 1)",
      "positive_amount");
  EXPECT_EQ(CompareRowText(source_, target_, "customers", "id"), "");
}

TEST_F(PgSchema, IdentityAndSerialKeepTheSequencePositions) {
  Build(kShopSchema, kShopRows);
  CopyAndVerify();
  // The sequences stand where the source's stand (setval 7777 and 100000, not max(id)).
  for (const char* seq : {"customers_id_seq", "orders_id_seq", "invoice_no", "not_called_yet"}) {
    std::string q = std::string("SELECT last_value || ' ' || is_called FROM ") + seq;
    EXPECT_EQ(Psql(target_, q), Psql(source_, q)) << seq;
  }
  EXPECT_EQ(Psql(target_, "SELECT last_value FROM customers_id_seq"), "7777");
  EXPECT_EQ(Psql(target_, "SELECT last_value FROM orders_id_seq"), "100000");
  EXPECT_EQ(Psql(target_, "SELECT last_value || ' ' || is_called FROM invoice_no"), "514 true");
  EXPECT_EQ(Psql(target_, "SELECT last_value || ' ' || is_called FROM not_called_yet"), "42 false");
  // Identity stays GENERATED ALWAYS with its options, serial keeps its default.
  EXPECT_EQ(Psql(target_,
                 "SELECT attidentity FROM pg_attribute WHERE attrelid = 'customers'::regclass "
                 "AND attname = 'id'"),
            "a");
  ExpectSameCatalog("sequence options",
                    "SELECT sequencename || ' ' || start_value || ' ' || increment_by || ' ' || "
                    "max_value || ' ' || data_type FROM pg_sequences WHERE schemaname = 'public' "
                    "ORDER BY sequencename");
  EXPECT_EQ(Psql(target_,
                 "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = "
                 "'orders'::regclass AND adnum = 1"),
            "nextval('orders_id_seq'::regclass)");
  // The next rows get the next numbers after the source's position.
  EXPECT_EQ(Psql(target_, "INSERT INTO customers (email, name) VALUES ('new@x', 'n') RETURNING id"),
            "7780");
  EXPECT_EQ(Psql(target_,
                 "INSERT INTO orders (customer_id, amount, qty, unit_price) VALUES (10, 1, 1, 1) "
                 "RETURNING id"),
            "100001");
  EXPECT_EQ(Psql(target_, "SELECT nextval('invoice_no')"), "521");
  EXPECT_EQ(Psql(target_, "SELECT nextval('not_called_yet')"), "42");
  ExpectTargetRejects("INSERT INTO customers (id, email, name) VALUES (1, 'a@b', 'x')",
                      "GENERATED ALWAYS");
}

TEST_F(PgSchema, GeneratedColumnsAreRecomputedAndStayGenerated) {
  Build(kShopSchema, kShopRows);
  CopyAndVerify();
  EXPECT_EQ(Psql(target_,
                 "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'orders'::regclass AND "
                 "attname = 'total'"),
            "s");
  EXPECT_EQ(CompareTexts(source_, target_, "SELECT id || ' ' || total FROM orders ORDER BY id",
                         "SELECT id || ' ' || total FROM orders ORDER BY id"),
            "");
  EXPECT_EQ(PsqlInt(target_,
                    "SELECT count(*) FROM orders WHERE total IS DISTINCT FROM "
                    "qty * unit_price"),
            0);
  EXPECT_EQ(Psql(target_,
                 "UPDATE orders SET qty = 7, unit_price = 1.5 WHERE id = 1 RETURNING "
                 "total"),
            "10.50");
}

TEST_F(PgSchema, ConstraintsIndexesViewsTriggersComments) {
  Build(kShopSchema, kShopRows);
  CopyAndVerify();
  ExpectSameCatalog("constraints (check, unique, exclusion, deferrable foreign keys)",
                    "SELECT conrelid::regclass || ' ' || conname || ' ' || contype::text || ' ' || "
                    "condeferrable || condeferred || convalidated || ' ' || "
                    "pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = "
                    "'public'::regnamespace AND conrelid <> 0 ORDER BY 1");
  EXPECT_EQ(Psql(target_,
                 "SELECT condeferrable || ' ' || condeferred FROM pg_constraint WHERE conname = "
                 "'orders_customer_fk'"),
            "true true");
  ExpectSameCatalog("indexes (partial, expression, unique, gist)",
                    "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = "
                    "'public' ORDER BY indexname");
  ExpectSameCatalog("views",
                    "SELECT viewname || ' ' || definition FROM pg_views WHERE "
                    "schemaname = 'public' ORDER BY 1");
  ExpectSameCatalog("materialized views, populated",
                    "SELECT matviewname || ' ' || ispopulated || ' ' || definition FROM "
                    "pg_matviews WHERE schemaname = 'public' ORDER BY 1");
  EXPECT_EQ(CompareRowText(source_, target_, "customer_totals", "customer_id"), "");
  EXPECT_EQ(CompareRowText(source_, target_, "paid_orders", "id"), "");
  ExpectSameCatalog("functions",
                    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE "
                    "pronamespace = 'public'::regnamespace ORDER BY proname");
  ExpectSameCatalog("triggers",
                    "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT "
                    "tgisinternal ORDER BY tgname");
  ExpectSameCatalog("comments",
                    "SELECT coalesce(obj_description('customers'::regclass, "
                    "'pg_class'), '-') || ' / ' || coalesce(col_description("
                    "'customers'::regclass, 4), '-')");
  EXPECT_EQ(Psql(target_, "SELECT obj_description('customers'::regclass, 'pg_class')"),
            "People who buy things 😀");

  // They work on the target, not only exist.
  EXPECT_EQ(Psql(target_, "UPDATE orders SET note = 'x' WHERE id = 2 RETURNING note"),
            "x [touched]");
  ExpectTargetRejects("INSERT INTO customers (email, name) VALUES ('no-at-sign', 'x')",
                      "email_has_at");
  ExpectTargetRejects("INSERT INTO customers (email, name) VALUES ('c1@example.com', 'x')",
                      "customers_email_key");
  ExpectTargetRejects(
      "INSERT INTO bookings VALUES (9999, 1, tsrange('2024-01-01 01:30', "
      "'2024-01-01 02:30'))",
      "no_double_booking");
  ExpectTargetRejects(
      "INSERT INTO orders (customer_id, amount, qty, unit_price) VALUES "
      "(999999, 1, 1, 1)",
      "orders_customer_fk");
  // Deferred: a transaction may insert the child before the parent.
  Psql(target_,
       "BEGIN; INSERT INTO orders (customer_id, amount, qty, unit_price) VALUES (5000000, 1, 1, "
       "1); INSERT INTO customers (id, email, name) OVERRIDING SYSTEM VALUE VALUES (5000000, "
       "'late@x', 'late'); COMMIT;");
  EXPECT_EQ(Psql(target_, "SELECT order_count(5000000)"), "1");
}

TEST_F(PgSchema, PartitionedTableIsReadOnceThroughItsRoot) {
  Build(R"sql(
    CREATE TABLE measurements (id integer NOT NULL, at date NOT NULL, v double precision,
                               PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE measurements_2023 PARTITION OF measurements
      FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
    CREATE TABLE measurements_2024 PARTITION OF measurements
      FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE INDEX measurements_v ON measurements (v);
  )sql",
        R"sql(
    INSERT INTO measurements
    SELECT g, '2023-01-01'::date + (g % 700), g / 7.0 FROM generate_series(1, 6000) g;
  )sql",
        "copy:\n  chunk_rows: 1000\n  workers: 2\n");
  int64_t in_2023 = PsqlInt(source_, "SELECT count(*) FROM measurements_2023");
  int64_t in_2024 = PsqlInt(source_, "SELECT count(*) FROM measurements_2024");
  ASSERT_GT(in_2023, 0);
  ASSERT_GT(in_2024, 0);
  CopyAndVerify();
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM measurements"), 6000);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(DISTINCT (id, at)) FROM measurements"), 6000);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM measurements_2023"), in_2023);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM measurements_2024"), in_2024);
  ExpectSameCatalog("partitions and bounds",
                    "SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM "
                    "pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = "
                    "'measurements'::regclass ORDER BY 1");
  EXPECT_EQ(CompareRowText(source_, target_, "measurements", "id, at"), "");
  // The copy summary lists the root only.
  EXPECT_EQ(CountOf(copy_.out, "measurements_2023"), 0u) << copy_.out;
  EXPECT_NE(copy_.out.find("copied 6000 rows in 1 tables"), std::string::npos) << copy_.out;
}

TEST_F(PgSchema, KeylessTableSplitsIntoCtidChunksEachRowOnce) {
  Build("CREATE TABLE events_nokey (kind text, n integer, payload text);",
        R"sql(
    INSERT INTO events_nokey
    SELECT 'kind ' || (g % 11), g % 500, CASE WHEN g % 13 = 0 THEN NULL ELSE 'p' || (g % 900) END
    FROM generate_series(1, 20000) g;
    -- Exact duplicates: a chunk read twice or skipped changes the multiset.
    INSERT INTO events_nokey SELECT 'dup', 1, 'same' FROM generate_series(1, 777);
  )sql",
        "copy:\n  chunk_rows: 1000\n  workers: 2\n");
  CopyAndVerify();
  EXPECT_GT(SummaryChunks("events_nokey"), 5) << copy_.out;
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM events_nokey"), 20777);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM events_nokey WHERE kind = 'dup'"), 777);
  std::string multiset =
      "SELECT concat_ws('|', kind, n, payload, count(*)) FROM events_nokey GROUP BY kind, n, "
      "payload ORDER BY kind, n, payload";
  EXPECT_EQ(CompareTexts(source_, target_, multiset, multiset), "");
}

TEST_F(PgSchema, KeylessTableAfterUpdatesAndDeletesHasHoles) {
  // Dead tuples and free space: ctid ranges must still cover every live row once.
  Build("CREATE TABLE loose (a integer, b text);",
        R"sql(
    INSERT INTO loose SELECT g, repeat('x', g % 50) FROM generate_series(1, 30000) g;
    DELETE FROM loose WHERE a % 3 = 0;
    UPDATE loose SET b = b || 'updated' WHERE a % 5 = 0;
  )sql",
        "copy:\n  chunk_rows: 1000\n  workers: 2\n");
  int64_t rows = PsqlInt(source_, "SELECT count(*) FROM loose");
  CopyAndVerify();
  EXPECT_GT(SummaryChunks("loose"), 5) << copy_.out;
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM loose"), rows);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(DISTINCT a) FROM loose"), rows);
  EXPECT_EQ(CompareRowText(source_, target_, "loose", "a"), "");
}

TEST_F(PgSchema, CompositeTextPrimaryKeyChunksInByteOrder) {
  Build(R"sql(
    CREATE TABLE kv (region text, code varchar(20), v integer, PRIMARY KEY (region, code));
  )sql",
        R"sql(
    INSERT INTO kv
    SELECT r, 'code ' || g, g
    FROM unnest(ARRAY['eu', 'EU', 'Eu', 'ünï', 'zz', '', ' ', 'a b', 'ä', 'Z', '😀', 'é',
                      E'e\u0301']) r,
         generate_series(1, 400) g;
  )sql",
        "copy:\n  chunk_rows: 500\n  workers: 2\n");
  int64_t rows = PsqlInt(source_, "SELECT count(*) FROM kv");
  CopyAndVerify();
  EXPECT_GT(SummaryChunks("kv"), 5) << copy_.out;
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM kv"), rows);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(DISTINCT (region, code)) FROM kv"), rows);
  EXPECT_EQ(CompareRowText(source_, target_, "kv", "region COLLATE \"C\", code COLLATE \"C\""), "");
}

TEST_F(PgSchema, QuotedNamesOtherSchemasAndSameNamesInTwoSchemas) {
  Build(R"sql(
    CREATE SCHEMA sales;
    CREATE SCHEMA "Odd Schema";
    CREATE TABLE sales.customers (id integer PRIMARY KEY, name text);
    CREATE TABLE "Odd Schema"."My ""Quoted"" Table" ("Key Col" integer PRIMARY KEY,
                                                     "we""ird" text, "😀" integer);
    CREATE TABLE public.orders (id integer PRIMARY KEY,
                                customer_id integer REFERENCES sales.customers (id));
    CREATE TABLE public."UPPER" ("ID" integer PRIMARY KEY);
    CREATE TABLE sales.orders (id integer PRIMARY KEY, note text);
  )sql",
        R"sql(
    INSERT INTO sales.customers SELECT g, 'c' || g FROM generate_series(1, 3000) g;
    INSERT INTO "Odd Schema"."My ""Quoted"" Table" SELECT g, 'w' || g, g
    FROM generate_series(1, 3000) g;
    INSERT INTO public.orders SELECT g, g FROM generate_series(1, 3000) g;
    INSERT INTO public."UPPER" VALUES (1), (2);
    INSERT INTO sales.orders VALUES (1, 'same name, other schema');
  )sql",
        "copy:\n  chunk_rows: 1000\n");
  CopyAndVerify();
  EXPECT_EQ(CompareRowText(source_, target_, "sales.customers", "id"), "");
  EXPECT_EQ(
      CompareRowText(source_, target_, "\"Odd Schema\".\"My \"\"Quoted\"\" Table\"", "\"Key Col\""),
      "");
  EXPECT_EQ(CompareRowText(source_, target_, "public.orders", "id"), "");
  EXPECT_EQ(CompareRowText(source_, target_, "public.\"UPPER\"", "\"ID\""), "");
  EXPECT_EQ(CompareRowText(source_, target_, "sales.orders", "id"), "");
}

TEST_F(PgSchema, TableNameWithADot) {
  // "order.items" is one table in schema public, not table items in schema order.
  Build(R"sql(
    CREATE TABLE public."order.items" (id integer PRIMARY KEY, v text);
    CREATE SCHEMA "my.schema";
    CREATE TABLE "my.schema".t (id integer PRIMARY KEY);
  )sql",
        R"sql(
    INSERT INTO "order.items" SELECT g, 'v' || g FROM generate_series(1, 10) g;
    INSERT INTO "my.schema".t VALUES (1), (2), (3);
  )sql");
  RunResult inv = ws_.Run("inventory");
  EXPECT_EQ(inv.exit_code, 0) << inv.Describe();
  CopyAndVerify();
  EXPECT_EQ(CompareRowText(source_, target_, "public.\"order.items\"", "id"), "");
  EXPECT_EQ(CompareRowText(source_, target_, "\"my.schema\".t", "id"), "");
}

TEST_F(PgSchema, TablesOptionCopiesOnlyTheNamedTables) {
  Build(R"sql(
    CREATE TABLE customers (id integer PRIMARY KEY, name text);
    CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers (id));
    CREATE TABLE unrelated (id integer PRIMARY KEY);
    CREATE VIEW customer_names AS SELECT name FROM customers;
  )sql",
        R"sql(
    INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;
    INSERT INTO orders SELECT g, 1 + g % 100 FROM generate_series(1, 500) g;
    INSERT INTO unrelated VALUES (1);
  )sql");
  RunResult copy = ws_.Run("copy", {"--tables", "orders"});
  // As with the plan's tables section: the foreign key to a table left out is reported, not
  // built, and nothing but the named table appears on the target.
  EXPECT_EQ(copy.exit_code, 0) << copy.Describe();
  EXPECT_EQ(Psql(target_,
                 "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE "
                 "relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm')"),
            "orders");
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM orders"), 500);
  RunResult verify = ws_.Run("verify", {"--tables", "orders"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

TEST_F(PgSchema, TransformedTableWithSerialEnumAndDomainColumns) {
  // A plan rule (here a mask) reshapes the table, so it is not cloned verbatim; its serial
  // default, enum and domain columns must still find what they need on the target.
  Build(R"sql(
    CREATE TYPE status AS ENUM ('new', 'paid');
    CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
    CREATE TABLE customers (id serial PRIMARY KEY, email email NOT NULL, st status,
                            secret text);
  )sql",
        R"sql(
    INSERT INTO customers (email, st, secret)
    SELECT 'u' || g || '@x', (ARRAY['new', 'paid'])[1 + g % 2]::status, 's' || g
    FROM generate_series(1, 100) g;
    SELECT setval('customers_id_seq', 5000);
  )sql",
        "transform:\n  customers:\n    columns:\n      secret: {mask: hash}\n");
  CopyAndVerify();
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM customers"), 100);
  EXPECT_EQ(PsqlInt(target_, "SELECT count(*) FROM customers WHERE secret LIKE 's%'"), 0)
      << "the mask was not applied";
  EXPECT_EQ(CompareTexts(source_, target_,
                         "SELECT concat_ws('|', id, email, st) FROM customers ORDER BY id",
                         "SELECT concat_ws('|', id, email, st) FROM customers ORDER BY id"),
            "");
  EXPECT_EQ(Psql(target_, "SELECT last_value FROM customers_id_seq"), "5000");
}

TEST_F(PgSchema, InventoryListsSequencesTypesFunctionsPartitionsAndRls) {
  Build(std::string(kShopSchema) + R"sql(
    CREATE TABLE measurements (id integer, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE measurements_2023 PARTITION OF measurements
      FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
    CREATE TABLE measurements_2024 PARTITION OF measurements
      FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE secrets (id integer PRIMARY KEY, s text);
    ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
    CREATE POLICY only_mine ON secrets USING (s = current_user);
  )sql",
        kShopRows);
  RunResult inv = ws_.Run("inventory", {"--json"});
  ASSERT_EQ(inv.exit_code, 0) << inv.Describe();
  nlohmann::json doc;
  ASSERT_NO_THROW(doc = nlohmann::json::parse(inv.out)) << inv.out;

  auto has_object = [&](const std::string& kind, const std::string& name_part) {
    for (const auto& o : doc["objects"])
      if (o.value("kind", "") == kind && o.value("name", "").find(name_part) != std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(has_object("sequence", "invoice_no")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("sequence", "customers_id_seq")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("sequence", "orders_id_seq")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("enum", "status")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("domain", "positive_amount")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("composite type", "address")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("function", "touch_note")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("function", "order_count")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("partition", "measurements_2023")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("partition", "measurements_2024")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("view", "paid_orders")) << doc["objects"].dump(1);
  EXPECT_TRUE(has_object("trigger", "orders_touch")) << doc["objects"].dump(1);
  // The sequence's position is stated.
  for (const auto& o : doc["objects"]) {
    if (o.value("kind", "") == "sequence" &&
        o.value("name", "").find("orders_id_seq") != std::string::npos) {
      EXPECT_NE(o.value("reason", "").find("100000"), std::string::npos) << o.dump();
    }
  }

  // Tables: the partitioned root once, its leaves never as tables of their own.
  std::vector<std::string> names;
  for (const auto& t : doc["tables"]) names.push_back(t.value("name", ""));
  EXPECT_EQ(std::count(names.begin(), names.end(), "measurements"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "measurements_2023"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "secrets"), 1);

  bool rls = false;
  for (const auto& w : doc["warnings"]) {
    std::string text = w.get<std::string>();
    if (text.find("secrets") != std::string::npos &&
        text.find("row-level security") != std::string::npos)
      rls = true;
  }
  EXPECT_TRUE(rls) << doc["warnings"].dump(1);

  // Counts and column types come from the source.
  for (const auto& t : doc["tables"]) {
    if (t.value("name", "") != "orders") continue;
    {
      EXPECT_EQ(t.value("rows", -1), 5000) << t.dump();
      bool generated = false;
      for (const auto& c : t["columns"])
        if (c.value("name", "") == "total") generated = c.value("generated", false);
      EXPECT_TRUE(generated) << t.dump();
    }
  }
}

}  // namespace
}  // namespace peerlock::scenario
