// The connector SPI conformance suite (../shared/DESIGN.md, tests/conformance/): one suite,
// instantiated for every connector, driving Connector / Dialect / Session in-process against
// real databases: SQLite files in a temporary directory, and a fresh PostgreSQL 15 or MariaDB
// 10.11 database per test on the throwaway servers of tests/support/test_servers.h.
//
// Whatever one connector promises through the SPI, the others must keep in the same way:
// introspection that agrees with the dialect's own type mapping, chunk splits that cover every
// row exactly once, chunk loads that are atomic with their marker, the canonical digest of the
// same logical rows (../shared/CANONICAL.md), shared snapshots, in-server digests and raw chunk
// pass-through where a connector offers them.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connector/connector.h"
#include "connectors/mysql/mysql_connector.h"
#include "connectors/postgres/postgres_connector.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "convert/table_mapping.h"
#include "core/canonical.h"
#include "engine/row_pipeline.h"
#include "support/test_servers.h"

namespace peerlock {
namespace {

namespace ts = test_servers;

std::unique_ptr<Connector> MakeConnector(const std::string& dialect) {
  if (dialect == "sqlite") return std::make_unique<SqliteConnector>();
  if (dialect == "postgres") return std::make_unique<PostgresConnector>();
  if (dialect == "mysql") return std::make_unique<MysqlConnector>();
  return nullptr;
}

std::string Describe(const Error& e) { return e.ToString(); }

#define ASSERT_OK(expr)                                                           \
  do {                                                                            \
    auto pl_st_ = (expr);                                                         \
    ASSERT_TRUE(pl_st_.has_value()) << #expr << ": " << Describe(pl_st_.error()); \
  } while (0)

// Declares `var` from a Result, failing the test on error.
#define ASSERT_OK_AND_ASSIGN(var, expr)                                   \
  auto PL_CONCAT(conf_r_, __LINE__) = (expr);                             \
  ASSERT_TRUE(PL_CONCAT(conf_r_, __LINE__).has_value())                   \
      << #expr << ": " << Describe(PL_CONCAT(conf_r_, __LINE__).error()); \
  var = std::move(*PL_CONCAT(conf_r_, __LINE__))

LogicalType Int(int bits) { return LogicalType{.kind = TypeKind::kInt, .bits = bits}; }
LogicalType Text(std::optional<int> n = std::nullopt) {
  return LogicalType{.kind = TypeKind::kText, .precision = n};
}
LogicalType Decimal(int p, int s) {
  return LogicalType{.kind = TypeKind::kDecimal, .precision = p, .scale = s};
}

// A RowSource over in-memory batches that fails (like a source losing its connection) once
// `good_batches` batches have been handed out.
class FailingSource final : public RowSource {
 public:
  FailingSource(std::vector<RowBatch> batches, size_t good_batches)
      : batches_(std::move(batches)), good_(good_batches) {}
  Result<bool> Next(RowBatch& batch) override {
    if (next_ >= good_) return Fail(ErrorCode::kConnection, "injected: source lost mid-chunk");
    if (next_ >= batches_.size()) return false;
    batch = std::move(batches_[next_++]);
    return true;
  }

 private:
  std::vector<RowBatch> batches_;
  size_t good_;
  size_t next_ = 0;
};

// The rows of the digest table (test 4, 6, 7): the same logical values in every dialect.
// Columns: id, big, d, f, t, b, flag, day, ts.
const std::vector<std::string> kDigestColumns = {"id", "big",  "d",   "f", "t",
                                                 "b",  "flag", "day", "ts"};
const std::vector<LogicalType> kDigestTypes = {Int(64),
                                               Int(64),
                                               Decimal(12, 2),
                                               MakeType(TypeKind::kFloat64),
                                               Text(),
                                               MakeType(TypeKind::kBytes),
                                               MakeType(TypeKind::kBool),
                                               MakeType(TypeKind::kDate),
                                               MakeType(TypeKind::kTimestamp)};

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    connector_ = MakeConnector(GetParam());
    ASSERT_NE(connector_, nullptr) << "unknown dialect " << GetParam();
    std::string pattern =
        (std::filesystem::temp_directory_path() / "peerlock-conformance-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  bool is(const char* dialect) const { return GetParam() == dialect; }
  const Dialect& dialect() const { return connector_->dialect(); }
  Capabilities caps() const { return connector_->capabilities(); }

  // Picks the statement of this test's dialect.
  std::string Native(const std::string& sqlite, const std::string& pg,
                     const std::string& mysql) const {
    return is("sqlite") ? sqlite : is("postgres") ? pg : mysql;
  }

  // The name of a fresh database of this test: TestDatabaseName() plus `suffix`.
  static std::string DatabaseName(const std::string& suffix) {
    std::string base = ts::TestDatabaseName();
    if (base.size() + suffix.size() + 1 > 63) {
      uint32_t hash = 2166136261u;
      for (char c : base) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
      char buf[16];
      snprintf(buf, sizeof buf, "%08x", hash);
      base = base.substr(0, 63 - suffix.size() - 10) + "_" + buf;
    }
    return base + "_" + suffix;
  }

  // Creates an empty database of this test's dialect and returns its URL.
  std::string NewDatabase(const std::string& suffix) {
    std::string name = DatabaseName(suffix);
    if (is("sqlite")) return "sqlite://" + dir_ + "/" + name + ".db";
    if (is("postgres")) return ts::CreatePgDatabase(name);
    databases_[ts::MariadbDatabaseUrl(name)] = name;
    return ts::CreateMariadbDatabase(name);
  }

  Result<std::unique_ptr<Session>> Connect(const std::string& url) const {
    PL_ASSIGN(Endpoint endpoint, Endpoint::Parse(url));
    if (is("postgres")) endpoint.set_password(ts::PgPassword());
    if (is("mysql")) endpoint.set_password(ts::MariadbPassword());
    return connector_->Connect(endpoint, SessionOptions{.create = true});
  }

  // Runs `sql` through the connector (native SQL of this dialect).
  static void Exec(Session& session, const std::string& sql) {
    auto st = session.Execute(sql);
    ASSERT_TRUE(st.has_value()) << sql.substr(0, 400) << "\n" << Describe(st.error());
  }

  // The native table of the digest tests, with its three rows.
  void CreateDigestTable(Session& session, const std::string& table = "dg") {
    ASSERT_NO_FATAL_FAILURE(Exec(
        session, Native("CREATE TABLE " + table +
                            " (id INTEGER PRIMARY KEY, big INTEGER, d DECIMAL(12,2), f REAL, "
                            "t TEXT, b BLOB, flag BOOLEAN, day DATE, ts TIMESTAMP)",
                        "CREATE TABLE " + table +
                            " (id bigint PRIMARY KEY, big bigint, d numeric(12,2), f double "
                            "precision, t text, b bytea, flag boolean, day date, ts timestamp)",
                        "CREATE TABLE " + table +
                            " (id BIGINT PRIMARY KEY, big BIGINT, d DECIMAL(12,2), f DOUBLE, "
                            "t LONGTEXT, b LONGBLOB, flag TINYINT(1), day DATE, ts DATETIME(6))"
                            " DEFAULT CHARSET=utf8mb4")));
    // Emoji, tab, empty text; NUL inside bytes; INT64 extremes; 12.50 and 0.1 as decimals.
    std::string rows = Native(
        "(1, -9223372036854775808, '12.50', 0.1, 'emoji 😀' || char(9) || 'tab', "
        "X'00FF00', 1, '2024-02-29', '2024-01-15 04:30:00.123456'),"
        "(2, 9223372036854775807, '0.1', -2.5, '', X'', 0, '1999-12-31', '1970-01-01 00:00:00'),"
        "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        "(1, -9223372036854775808, 12.50, 0.1, E'emoji 😀\\ttab', '\\x00ff00'::bytea, true, "
        "'2024-02-29', '2024-01-15 04:30:00.123456'),"
        "(2, 9223372036854775807, 0.1, -2.5, '', ''::bytea, false, '1999-12-31', "
        "'1970-01-01 00:00:00'),"
        "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        "(1, -9223372036854775808, 12.50, 0.1, 'emoji 😀\\ttab', X'00FF00', 1, '2024-02-29', "
        "'2024-01-15 04:30:00.123456'),"
        "(2, 9223372036854775807, 0.1, -2.5, '', X'', 0, '1999-12-31', '1970-01-01 00:00:00'),"
        "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    ASSERT_NO_FATAL_FAILURE(Exec(session, "INSERT INTO " + table + " VALUES " + rows));
  }

  std::unique_ptr<Connector> connector_;
  std::string dir_;
  std::map<std::string, std::string> databases_;  // MariaDB URL -> database name
};

// ReadSpec of `columns` of `table` over the whole key space.
ReadSpec Spec(const std::string& table, std::vector<std::string> columns, KeySpec key) {
  return ReadSpec{.table = table, .columns = std::move(columns), .key = std::move(key)};
}

// Every row of `spec`, each cell rendered canonically as `types` (nullopt for NULL).
Result<std::vector<std::vector<std::optional<std::string>>>> ReadCanonical(
    Session& session, const ReadSpec& spec, const std::vector<LogicalType>& types) {
  PL_ASSIGN(auto rows, session.Read(spec));
  std::vector<std::vector<std::optional<std::string>>> out;
  RowBatch batch;
  while (true) {
    PL_ASSIGN(bool more, rows->Next(batch));
    if (!more) break;
    if (batch.columns() != static_cast<int>(types.size()))
      return Fail(ErrorCode::kInternal, "batch of " + std::to_string(batch.columns()) +
                                            " columns, expected " + std::to_string(types.size()));
    for (size_t r = 0; r < batch.rows(); ++r) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < batch.columns(); ++c) {
        ValueView v = batch.Get(r, c);
        if (v.is_null())
          row.push_back(std::nullopt);
        else
          row.push_back(Canonical(types[c], v));
      }
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::string Show(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  std::string out = "'";
  for (unsigned char c : *v) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

// ---------------------------------------------------------------------------------------------
// 1. A table created through the dialect's own DDL introspects back as itself.

TEST_P(ConformanceTest, IntrospectionRoundTrip) {
  ASSERT_OK_AND_ASSIGN(auto session, Connect(NewDatabase("a")));
  Table table{.name = "typed"};
  auto col = [](std::string name, LogicalType type, bool nullable) {
    return Column{.name = std::move(name), .type = type, .nullable = nullable};
  };
  table.columns = {col("id", Int(64), false),
                   col("i32", Int(32), true),
                   col("name", Text(40), false),
                   col("amount", Decimal(12, 2), true),
                   col("ratio", MakeType(TypeKind::kFloat64), true),
                   col("payload", MakeType(TypeKind::kBytes), true),
                   col("active", MakeType(TypeKind::kBool), false),
                   col("born", MakeType(TypeKind::kDate), true),
                   col("seen", MakeType(TypeKind::kTimestamp), true)};
  table.primary_key = {"id"};
  table.indexes = {Index{.name = "typed_name_born", .columns = {"name", "born"}}};
  for (const auto& sql : dialect().CreateTableSql(table))
    ASSERT_NO_FATAL_FAILURE(Exec(*session, sql));
  for (const auto& sql : dialect().PostDataSql(table)) ASSERT_NO_FATAL_FAILURE(Exec(*session, sql));

  ASSERT_OK_AND_ASSIGN(Catalog catalog, session->Introspect(true));
  const Table* got = catalog.FindTable("typed");
  ASSERT_NE(got, nullptr) << "Introspect does not list the table created by CreateTableSql";
  EXPECT_EQ(got->rows, 0);
  ASSERT_EQ(got->columns.size(), table.columns.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& want = table.columns[i];
    const Column& have = got->columns[i];
    SCOPED_TRACE("column " + want.name + " declared as '" + have.source_type + "'");
    EXPECT_EQ(have.name, want.name);
    EXPECT_EQ(have.nullable, want.nullable);
    std::string native = dialect().FromLogical(want.type).native_type;
    // The logical type is what the dialect maps both the type it created and the type it read
    // back to, and it keeps the kind (and length / precision / scale) the table asked for.
    EXPECT_EQ(LogicalTypeName(have.type), LogicalTypeName(dialect().ToLogical(have.source_type)));
    EXPECT_EQ(LogicalTypeName(have.type), LogicalTypeName(dialect().ToLogical(native)))
        << "created as '" << native << "'";
    EXPECT_EQ(have.type.kind, want.type.kind) << LogicalTypeName(have.type);
    if (want.type.kind == TypeKind::kText || want.type.kind == TypeKind::kDecimal) {
      EXPECT_EQ(have.type.precision, want.type.precision) << LogicalTypeName(have.type);
      EXPECT_EQ(have.type.scale, want.type.scale) << LogicalTypeName(have.type);
    }
  }
  EXPECT_EQ(got->primary_key, table.primary_key);
  const Index* index = nullptr;
  for (const auto& ix : got->indexes)
    if (ix.name == "typed_name_born") index = &ix;
  ASSERT_NE(index, nullptr) << "the index created by PostDataSql is not introspected";
  EXPECT_EQ(index->columns, (std::vector<std::string>{"name", "born"}));
  EXPECT_FALSE(index->unique);
  EXPECT_FALSE(index->from_constraint);
  // PeerLock's bookkeeping never shows up, nor do tables that do not exist.
  EXPECT_EQ(catalog.FindTable("_peerlock_chunks"), nullptr);
  ASSERT_OK_AND_ASSIGN(bool exists, session->TableExists("typed"));
  EXPECT_TRUE(exists);
  ASSERT_OK_AND_ASSIGN(bool empty, session->TableIsEmpty("typed"));
  EXPECT_TRUE(empty);
}

// ---------------------------------------------------------------------------------------------
// 2. SplitPoints + RangesFromPoints + Read cover every row exactly once.

constexpr int kRows = 5000;
constexpr int64_t kChunkRows = 700;
const std::vector<std::string> kGroups = {"apple", "Banana", "cherry",  "Éclair",
                                          "zeta",  "Ω",      "delta-1", "Delta2"};

TEST_P(ConformanceTest, ChunksCoverEveryRowOnce) {
  ASSERT_OK_AND_ASSIGN(auto session, Connect(NewDatabase("a")));
  ASSERT_NO_FATAL_FAILURE(
      Exec(*session, Native("CREATE TABLE ints (id INTEGER PRIMARY KEY, v TEXT)",
                            "CREATE TABLE ints (id bigint PRIMARY KEY, v text)",
                            "CREATE TABLE ints (id BIGINT PRIMARY KEY, v TEXT)")));
  ASSERT_NO_FATAL_FAILURE(Exec(
      *session, Native("CREATE TABLE pairs (grp TEXT, n INTEGER, v TEXT, PRIMARY KEY (grp, n))",
                       "CREATE TABLE pairs (grp text, n integer, v text, PRIMARY KEY (grp, n))",
                       "CREATE TABLE pairs (grp VARCHAR(40), n INT, v TEXT, PRIMARY KEY (grp, n))"
                       " DEFAULT CHARSET=utf8mb4")));
  ASSERT_NO_FATAL_FAILURE(Exec(*session, Native("CREATE TABLE heap (n INTEGER, v TEXT)",
                                                "CREATE TABLE heap (n integer, v text)",
                                                "CREATE TABLE heap (n INT, v TEXT)")));
  std::set<std::string> want_ints, want_pairs, want_heap;
  std::string ints, pairs, heap;
  for (int i = 0; i < kRows; ++i) {
    int64_t id = (static_cast<int64_t>(i) - 2500) * 10 + i % 7;  // gaps, negatives
    std::string grp = kGroups[i % kGroups.size()];
    int n = i / static_cast<int>(kGroups.size());
    std::string sep = i ? "," : "";
    ints += sep + "(" + std::to_string(id) + ", 'row " + std::to_string(i) + "')";
    pairs += sep + "('" + grp + "', " + std::to_string(n) + ", 'x')";
    heap += sep + "(" + std::to_string(i) + ", 'same payload')";  // duplicate payloads
    want_ints.insert(std::to_string(id));
    want_pairs.insert(grp + "|" + std::to_string(n));
    want_heap.insert(std::to_string(i));
  }
  ASSERT_NO_FATAL_FAILURE(Exec(*session, "INSERT INTO ints VALUES " + ints));
  ASSERT_NO_FATAL_FAILURE(Exec(*session, "INSERT INTO pairs VALUES " + pairs));
  ASSERT_NO_FATAL_FAILURE(Exec(*session, "INSERT INTO heap VALUES " + heap));
  if (is("postgres")) {
    ASSERT_NO_FATAL_FAILURE(Exec(*session, "VACUUM ANALYZE heap"));
  }

  struct Case {
    std::string table;
    std::vector<std::string> columns;  // what identifies a row
    std::vector<LogicalType> types;
    KeySpec key;
    const std::set<std::string>* want;
  };
  KeySpec heap_key;
  heap_key.row_id = caps().row_id;
  std::vector<Case> cases = {
      {"ints", {"id"}, {Int(64)}, KeySpec{.columns = {"id"}}, &want_ints},
      {"pairs", {"grp", "n"}, {Text(), Int(32)}, KeySpec{.columns = {"grp", "n"}}, &want_pairs},
      {"heap", {"n"}, {Int(32)}, heap_key, &want_heap},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("table " + c.table);
    ReadSpec spec = Spec(c.table, c.columns, c.key);
    spec.batch_rows = 256;
    ASSERT_OK_AND_ASSIGN(auto points, session->SplitPoints(spec, kChunkRows));
    bool can_split = !c.key.empty();
    if (can_split) {
      // 5000 rows in pieces of about 700: several pieces, none far larger than asked.
      EXPECT_GE(points.size(), 3u) << "SplitPoints(" << c.table << ", 700) over " << kRows
                                   << " rows gave " << points.size() << " points";
    } else {
      EXPECT_TRUE(points.empty()) << "no key and no row id: the table is one chunk";
    }
    std::multiset<std::string> seen;
    auto ranges = RangesFromPoints(points);
    for (size_t r = 0; r < ranges.size(); ++r) {
      spec.range = ranges[r];
      ASSERT_OK_AND_ASSIGN(auto rows, ReadCanonical(*session, spec, c.types));
      ASSERT_OK_AND_ASSIGN(int64_t counted, session->CountRows(spec));
      EXPECT_EQ(counted, static_cast<int64_t>(rows.size()))
          << "CountRows and Read disagree on range " << EncodeKeyRange(spec.range);
      if (can_split) {
        EXPECT_LE(rows.size(), static_cast<size_t>(3 * kChunkRows))
            << "range " << EncodeKeyRange(spec.range) << " is far larger than asked";
      }
      for (const auto& row : rows) {
        std::string k;
        for (size_t i = 0; i < row.size(); ++i) k += (i ? "|" : "") + row[i].value_or("NULL");
        seen.insert(k);
      }
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(kRows)) << "rows read over all ranges";
    std::vector<std::string> twice, extra, missing;
    for (auto it = seen.begin(); it != seen.end(); it = seen.upper_bound(*it)) {
      if (seen.count(*it) > 1) twice.push_back(*it);
      if (!c.want->count(*it)) extra.push_back(*it);
    }
    for (const auto& k : *c.want)
      if (!seen.count(k)) missing.push_back(k);
    EXPECT_TRUE(twice.empty()) << twice.size() << " rows read more than once, e.g. " << twice[0];
    EXPECT_TRUE(extra.empty()) << extra.size() << " unexpected rows, e.g. " << extra[0];
    EXPECT_TRUE(missing.empty()) << missing.size() << " rows never read, e.g. " << missing[0];
    // with_key appends the key (or row id) after the columns, in the same rows.
    spec.range = KeyRange{};
    spec.with_key = true;
    ASSERT_OK_AND_ASSIGN(auto whole, session->Read(spec));
    RowBatch batch;
    size_t total = 0;
    size_t width = c.columns.size() + (c.key.row_id ? 1 : c.key.columns.size());
    while (true) {
      ASSERT_OK_AND_ASSIGN(bool more, whole->Next(batch));
      if (!more) break;
      if (!c.key.empty()) {
        ASSERT_EQ(static_cast<size_t>(batch.columns()), width);
      }
      total += batch.rows();
    }
    EXPECT_EQ(total, static_cast<size_t>(kRows));
    if (c.key.columns.empty()) continue;
    // A key list (a cutover's final verify) reads exactly the rows with those keys; a key no
    // row has reads nothing.
    auto int_key = [](int64_t v) { return OwnedValue{.kind = ValueKind::kInt, .i = v}; };
    auto text_key = [](std::string v) {
      return OwnedValue{.kind = ValueKind::kText, .s = std::move(v)};
    };
    ReadSpec listed = Spec(c.table, c.columns, c.key);
    if (c.table == "ints")
      listed.keys = {{int_key(-25000)}, {int_key(24991)}, {int_key(3)}};
    else
      listed.keys = {{text_key(kGroups[0]), int_key(0)},
                     {text_key(kGroups[1]), int_key(0)},
                     {text_key("no such group"), int_key(0)}};
    ASSERT_OK_AND_ASSIGN(auto listed_rows, ReadCanonical(*session, listed, c.types));
    EXPECT_EQ(listed_rows.size(), 2u) << "rows read for a list of 3 keys, one of them absent";
    ASSERT_OK_AND_ASSIGN(int64_t listed_count, session->CountRows(listed));
    EXPECT_EQ(listed_count, 2);
    ASSERT_OK_AND_ASSIGN(auto listed_digest, session->ServerDigest(listed));
    if (listed_digest) {
      EXPECT_EQ(listed_digest->rows, 2);
    }
    // With a range as well, both apply (keys compare in byte order: "Banana" < "apple").
    listed.range.lower = listed.keys[c.table == "ints" ? 1 : 0];
    ASSERT_OK_AND_ASSIGN(int64_t in_range, session->CountRows(listed));
    EXPECT_EQ(in_range, 1);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. LoadChunk commits rows and marker together, or neither.

TEST_P(ConformanceTest, LoadChunkIsAtomicWithMarker) {
  ASSERT_OK_AND_ASSIGN(auto session, Connect(NewDatabase("a")));
  ASSERT_NO_FATAL_FAILURE(
      Exec(*session, Native("CREATE TABLE target (id INTEGER PRIMARY KEY, name TEXT)",
                            "CREATE TABLE target (id bigint PRIMARY KEY, name text)",
                            "CREATE TABLE target (id BIGINT PRIMARY KEY, name TEXT)")));
  const std::vector<std::string> columns = {"id", "name"};
  // Batches big enough that the first ones reach the server before the source fails.
  auto make_batches = [](int64_t first_id, int batches, int rows_per_batch) {
    std::vector<RowBatch> out;
    std::string name(120, 'n');
    for (int b = 0; b < batches; ++b) {
      RowBatch batch(2);
      for (int r = 0; r < rows_per_batch; ++r) {
        batch.AddInt(first_id + static_cast<int64_t>(b) * rows_per_batch + r);
        batch.AddText(name);
      }
      out.push_back(std::move(batch));
    }
    return out;
  };
  ReadSpec all = Spec("target", columns, KeySpec{.columns = {"id"}});
  ChunkMarker m0{.run_id = "run-1",
                 .table = "source_t",
                 .chunk = 0,
                 .rows = 6000,
                 .digest = "6000:0000000000000000000000000000abcd"};

  // A source failing after two of three batches: nothing of the chunk, and no marker.
  FailingSource failing(make_batches(1, 3, 3000), 2);
  auto failed = session->LoadChunk("target", columns, failing, m0);
  ASSERT_FALSE(failed.has_value()) << "LoadChunk succeeded over a failing source: " << *failed;
  EXPECT_EQ(failed.error().code(), ErrorCode::kConnection) << Describe(failed.error());
  ASSERT_OK_AND_ASSIGN(int64_t after_failure, session->CountRows(all));
  EXPECT_EQ(after_failure, 0) << "rows of a failed chunk were committed";
  ASSERT_OK_AND_ASSIGN(bool empty, session->TableIsEmpty("target"));
  EXPECT_TRUE(empty);
  ASSERT_OK_AND_ASSIGN(auto markers, session->LoadedChunks("run-1"));
  EXPECT_TRUE(markers.empty()) << "a failed chunk left a marker";

  // The session is still usable: the same chunk loads in full, with its marker.
  BatchListSource good(make_batches(1, 3, 2000));
  ASSERT_OK_AND_ASSIGN(int64_t loaded, session->LoadChunk("target", columns, good, m0));
  EXPECT_EQ(loaded, 6000);
  ASSERT_OK_AND_ASSIGN(int64_t count, session->CountRows(all));
  EXPECT_EQ(count, 6000);
  ASSERT_OK_AND_ASSIGN(markers, session->LoadedChunks("run-1"));
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].run_id, "run-1");
  EXPECT_EQ(markers[0].table, "source_t");
  EXPECT_EQ(markers[0].chunk, 0);
  EXPECT_EQ(markers[0].rows, 6000);
  EXPECT_EQ(markers[0].digest, m0.digest);

  // A chunk the database refuses midway (a duplicate key in its second batch) rolls back too.
  ChunkMarker m1 = m0;
  m1.chunk = 1;
  std::vector<RowBatch> clash = make_batches(10001, 2, 2000);
  clash[1] = make_batches(1, 1, 1)[0];  // id 1 is already loaded
  BatchListSource refused(std::move(clash));
  auto dup = session->LoadChunk("target", columns, refused, m1);
  EXPECT_FALSE(dup.has_value()) << "a duplicate key was accepted";
  ASSERT_OK_AND_ASSIGN(count, session->CountRows(all));
  EXPECT_EQ(count, 6000) << "rows of a refused chunk were committed";
  ASSERT_OK_AND_ASSIGN(markers, session->LoadedChunks("run-1"));
  EXPECT_EQ(markers.size(), 1u) << "a refused chunk left a marker";

  // Markers are per run; ForgetChunks removes one run's and keeps the rows and other runs'.
  BatchListSource second(make_batches(10001, 1, 10));
  ASSERT_OK_AND_ASSIGN(loaded, session->LoadChunk("target", columns, second, m1));
  EXPECT_EQ(loaded, 10);
  ChunkMarker other{.run_id = "run-2",
                    .table = "source_t",
                    .chunk = 0,
                    .rows = 5,
                    .digest = "5:00000000000000000000000000000001"};
  BatchListSource third(make_batches(20001, 1, 5));
  ASSERT_OK_AND_ASSIGN(loaded, session->LoadChunk("target", columns, third, other));
  EXPECT_EQ(loaded, 5);
  ASSERT_OK_AND_ASSIGN(markers, session->LoadedChunks("run-1"));
  ASSERT_EQ(markers.size(), 2u);
  std::set<int> chunks;
  for (const auto& m : markers) chunks.insert(m.chunk);
  EXPECT_EQ(chunks, (std::set<int>{0, 1}));
  ASSERT_OK_AND_ASSIGN(markers, session->LoadedChunks("no-such-run"));
  EXPECT_TRUE(markers.empty());
  ASSERT_OK(session->ForgetChunks("run-1"));
  ASSERT_OK_AND_ASSIGN(markers, session->LoadedChunks("run-1"));
  EXPECT_TRUE(markers.empty()) << "ForgetChunks left markers of its run";
  ASSERT_OK_AND_ASSIGN(markers, session->LoadedChunks("run-2"));
  ASSERT_EQ(markers.size(), 1u) << "ForgetChunks removed another run's markers";
  EXPECT_EQ(markers[0].rows, 5);
  ASSERT_OK_AND_ASSIGN(count, session->CountRows(all));
  EXPECT_EQ(count, 6015) << "ForgetChunks touched loaded rows";
  ASSERT_OK(session->ForgetChunks("run-2"));
  ASSERT_OK(session->ForgetChunks("run-2"));  // idempotent
  ASSERT_OK_AND_ASSIGN(Catalog catalog, session->Introspect(false));
  EXPECT_EQ(catalog.FindTable("_peerlock_chunks"), nullptr);
  EXPECT_NE(catalog.FindTable("target"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// 4. The same logical rows digest the same in every dialect (CANONICAL.md).

// The digest (through the engine's ReadAndHash) and the canonical rows of the digest table.
struct DigestResult {
  Digest digest;
  Digest by_introspected_types;
  std::vector<std::vector<std::optional<std::string>>> rows;  // ordered by id
  std::vector<LogicalType> introspected;
};

Result<DigestResult> DigestOf(Session& session) {
  DigestResult out;
  ReadSpec spec = Spec("dg", kDigestColumns, KeySpec{.columns = {"id"}});
  spec.order_by_key = true;
  TableMapping mapping;
  mapping.source_table = mapping.target_table = "dg";
  mapping.source_columns = mapping.target_columns = kDigestColumns;
  mapping.compare_types = kDigestTypes;
  PL_ASSIGN(out.digest, ReadAndHash(session, spec, mapping, Side::kTarget, nullptr));
  PL_ASSIGN(out.rows, ReadCanonical(session, spec, kDigestTypes));
  // The same with the types the connector itself reports for the table.
  PL_ASSIGN(Catalog catalog, session.Introspect(false));
  const Table* t = catalog.FindTable("dg");
  if (!t) return Fail(ErrorCode::kNotFound, "dg not introspected");
  for (const auto& c : kDigestColumns) {
    const Column* column = t->FindColumn(c);
    if (!column) return Fail(ErrorCode::kNotFound, "dg." + c + " not introspected");
    out.introspected.push_back(column->type);
  }
  mapping.compare_types = out.introspected;
  PL_ASSIGN(out.by_introspected_types, ReadAndHash(session, spec, mapping, Side::kTarget, nullptr));
  return out;
}

TEST_P(ConformanceTest, DigestsEqualAcrossDialects) {
  // The reference: the same rows in SQLite.
  SqliteConnector sqlite;
  ASSERT_OK_AND_ASSIGN(Endpoint ref_endpoint, Endpoint::Parse("sqlite://" + dir_ + "/ref.db"));
  ASSERT_OK_AND_ASSIGN(auto ref, sqlite.Connect(ref_endpoint, SessionOptions{.create = true}));
  ASSERT_NO_FATAL_FAILURE(
      Exec(*ref,
           "CREATE TABLE dg (id INTEGER PRIMARY KEY, big INTEGER, d DECIMAL(12,2), f REAL, "
           "t TEXT, b BLOB, flag BOOLEAN, day DATE, ts TIMESTAMP)"));
  ASSERT_NO_FATAL_FAILURE(
      Exec(*ref,
           "INSERT INTO dg VALUES (1, -9223372036854775808, '12.50', 0.1, 'emoji 😀' || "
           "char(9) || 'tab', X'00FF00', 1, '2024-02-29', '2024-01-15 04:30:00.123456'), "
           "(2, 9223372036854775807, '0.1', -2.5, '', X'', 0, '1999-12-31', "
           "'1970-01-01 00:00:00'), (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"));
  ASSERT_OK_AND_ASSIGN(DigestResult want, DigestOf(*ref));

  ASSERT_OK_AND_ASSIGN(auto session, Connect(NewDatabase("a")));
  ASSERT_NO_FATAL_FAILURE(CreateDigestTable(*session));
  ASSERT_OK_AND_ASSIGN(DigestResult have, DigestOf(*session));

  // The canonical texts, field by field, first: they say which value differs.
  ASSERT_EQ(have.rows.size(), 3u);
  ASSERT_EQ(want.rows.size(), 3u);
  const std::vector<std::string> expected_row1 = {
      "1",   "-9223372036854775808", "12.5",
      "0.1", "emoji 😀\ttab",         std::string("\0\xff\0", 3),
      "t",   "2024-02-29",           "2024-01-15 04:30:00.123456"};
  for (size_t c = 0; c < kDigestColumns.size(); ++c)
    EXPECT_EQ(Show(want.rows[0][c]), Show(expected_row1[c]))
        << "SQLite reference, column " << kDigestColumns[c];
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < kDigestColumns.size(); ++c)
      EXPECT_EQ(Show(have.rows[r][c]), Show(want.rows[r][c]))
          << GetParam() << " row id=" << r + 1 << " column " << kDigestColumns[c] << " as "
          << LogicalTypeName(kDigestTypes[c]);
  EXPECT_EQ(have.digest.ToString(), want.digest.ToString())
      << GetParam() << " digest differs from SQLite's over the same logical rows";
  EXPECT_EQ(have.digest.rows, 3);
  // Hashed by the types each connector introspects (what verify uses as compare types).
  for (size_t c = 0; c < kDigestColumns.size(); ++c)
    EXPECT_EQ(have.introspected[c].kind, kDigestTypes[c].kind)
        << GetParam() << " introspects " << kDigestColumns[c] << " as "
        << LogicalTypeName(have.introspected[c]);
  EXPECT_EQ(have.by_introspected_types.ToString(), want.by_introspected_types.ToString())
      << GetParam() << " digest by its introspected types differs from SQLite's";
}

// ---------------------------------------------------------------------------------------------
// 5. A snapshot exported by one session and joined by another does not see later commits.

TEST_P(ConformanceTest, SnapshotIsolation) {
  std::string url = NewDatabase("a");
  ASSERT_OK_AND_ASSIGN(auto setup, Connect(url));
  ASSERT_NO_FATAL_FAILURE(
      Exec(*setup, Native("CREATE TABLE snap (id INTEGER PRIMARY KEY)",
                          "CREATE TABLE snap (id bigint PRIMARY KEY)",
                          "CREATE TABLE snap (id BIGINT PRIMARY KEY) ENGINE=InnoDB")));
  ASSERT_NO_FATAL_FAILURE(Exec(*setup, "INSERT INTO snap VALUES (1), (2), (3)"));
  ReadSpec all = Spec("snap", {"id"}, KeySpec{.columns = {"id"}});

  ASSERT_OK_AND_ASSIGN(auto a, Connect(url));
  ASSERT_OK_AND_ASSIGN(std::string token, a->ExportSnapshot());
  if (!caps().snapshot_export) {
    EXPECT_EQ(token, "") << "no snapshot export declared, but ExportSnapshot returned a token";
    if (is("sqlite"))
      GTEST_SKIP() << "SQLite sessions share no snapshot (and a writer waits for the reader)";
    // Each session still reads its own consistent snapshot.
    ASSERT_NO_FATAL_FAILURE(Exec(*setup, "INSERT INTO snap VALUES (4)"));
    ASSERT_OK_AND_ASSIGN(int64_t in_a, a->CountRows(all));
    EXPECT_EQ(in_a, 3) << "a session in a snapshot saw a row committed after it began";
    ASSERT_OK(a->EndSnapshot());
    ASSERT_OK_AND_ASSIGN(in_a, a->CountRows(all));
    EXPECT_EQ(in_a, 4);
    return;
  }
  ASSERT_FALSE(token.empty()) << "snapshot_export is declared but ExportSnapshot gave no token";
  ASSERT_OK_AND_ASSIGN(auto c, Connect(url));
  ASSERT_NO_FATAL_FAILURE(Exec(*c, "INSERT INTO snap VALUES (4)"));  // autocommit
  ASSERT_OK_AND_ASSIGN(auto b, Connect(url));
  ASSERT_OK(b->JoinSnapshot(token));
  ASSERT_OK_AND_ASSIGN(int64_t in_b, b->CountRows(all));
  EXPECT_EQ(in_b, 3) << "a session that joined the snapshot sees a row committed after it";
  ASSERT_OK_AND_ASSIGN(int64_t in_a, a->CountRows(all));
  EXPECT_EQ(in_a, 3) << "the exporting session sees a row committed after its snapshot";
  ASSERT_OK_AND_ASSIGN(auto fresh, Connect(url));
  ASSERT_OK_AND_ASSIGN(int64_t in_fresh, fresh->CountRows(all));
  EXPECT_EQ(in_fresh, 4) << "a fresh session does not see a committed row";
  // Reads inside the joined snapshot agree with its count.
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCanonical(*b, all, {Int(64)}));
  EXPECT_EQ(rows.size(), 3u);
  ASSERT_OK(b->EndSnapshot());
  ASSERT_OK_AND_ASSIGN(in_b, b->CountRows(all));
  EXPECT_EQ(in_b, 4) << "after EndSnapshot the session still reads the old snapshot";
}

// ---------------------------------------------------------------------------------------------
// 6. In-server digests: equal tables agree, one changed value disagrees.

TEST_P(ConformanceTest, ServerDigestAgreesWithItself) {
  ASSERT_OK_AND_ASSIGN(auto one, Connect(NewDatabase("a")));
  ASSERT_OK_AND_ASSIGN(auto two, Connect(NewDatabase("b")));
  ASSERT_NO_FATAL_FAILURE(CreateDigestTable(*one));
  ASSERT_NO_FATAL_FAILURE(CreateDigestTable(*two));
  ReadSpec spec = Spec("dg", kDigestColumns, KeySpec{.columns = {"id"}});
  ASSERT_OK_AND_ASSIGN(auto d1, one->ServerDigest(spec));
  if (!d1) {
    EXPECT_FALSE(caps().checksum_pushdown) << "checksum_pushdown declared, ServerDigest gave none";
    GTEST_SKIP() << GetParam() << " computes no digest inside the server";
  }
  EXPECT_EQ(d1->rows, 3);
  ASSERT_OK_AND_ASSIGN(auto d2, two->ServerDigest(spec));
  ASSERT_TRUE(d2.has_value());
  EXPECT_EQ(d1->ToString(), d2->ToString()) << "equal tables, different server digests";
  // Ranges add up to the whole.
  ReadSpec low = spec, high = spec;
  low.range.upper = KeyTuple{OwnedValue{.kind = ValueKind::kInt, .i = 2}};
  high.range.lower = KeyTuple{OwnedValue{.kind = ValueKind::kInt, .i = 2}};
  ASSERT_OK_AND_ASSIGN(auto dl, one->ServerDigest(low));
  ASSERT_OK_AND_ASSIGN(auto dh, one->ServerDigest(high));
  ASSERT_TRUE(dl && dh);
  Digest merged = *dl;
  merged.Merge(*dh);
  EXPECT_EQ(merged.ToString(), d1->ToString()) << "range digests do not add up to the table's";
  EXPECT_EQ(dl->rows, 1);

  // Each change, made alone in the second database and undone after, changes the digest.
  struct Change {
    std::string what, apply, undo;
  };
  std::vector<Change> changes = {
      {"text of row 1", "UPDATE dg SET t = 'emoji 😀 tab' WHERE id = 1",
       Native("UPDATE dg SET t = 'emoji 😀' || char(9) || 'tab' WHERE id = 1",
              "UPDATE dg SET t = E'emoji 😀\\ttab' WHERE id = 1",
              "UPDATE dg SET t = 'emoji 😀\\ttab' WHERE id = 1")},
      {"empty text -> NULL", "UPDATE dg SET t = NULL WHERE id = 2",
       "UPDATE dg SET t = '' WHERE id = 2"},
      {"byte after NUL",
       Native("UPDATE dg SET b = X'00FE00' WHERE id = 1",
              "UPDATE dg SET b = '\\x00fe00'::bytea WHERE id = 1",
              "UPDATE dg SET b = X'00FE00' WHERE id = 1"),
       Native("UPDATE dg SET b = X'00FF00' WHERE id = 1",
              "UPDATE dg SET b = '\\x00ff00'::bytea WHERE id = 1",
              "UPDATE dg SET b = X'00FF00' WHERE id = 1")},
      {"decimal", "UPDATE dg SET d = 12.51 WHERE id = 1", "UPDATE dg SET d = 12.50 WHERE id = 1"},
      {"bool",
       Native("UPDATE dg SET flag = 0 WHERE id = 1", "UPDATE dg SET flag = false WHERE id = 1",
              "UPDATE dg SET flag = 0 WHERE id = 1"),
       Native("UPDATE dg SET flag = 1 WHERE id = 1", "UPDATE dg SET flag = true WHERE id = 1",
              "UPDATE dg SET flag = 1 WHERE id = 1")},
      {"timestamp fraction", "UPDATE dg SET ts = '2024-01-15 04:30:00.123457' WHERE id = 1",
       "UPDATE dg SET ts = '2024-01-15 04:30:00.123456' WHERE id = 1"},
  };
  for (const auto& change : changes) {
    SCOPED_TRACE(change.what + ": " + change.apply);
    ASSERT_NO_FATAL_FAILURE(Exec(*two, change.apply));
    ASSERT_OK_AND_ASSIGN(auto changed, two->ServerDigest(spec));
    ASSERT_TRUE(changed.has_value());
    EXPECT_EQ(changed->rows, 3);
    EXPECT_NE(changed->ToString(), d1->ToString()) << "one changed value, same server digest";
    ASSERT_NO_FATAL_FAILURE(Exec(*two, change.undo));
    ASSERT_OK_AND_ASSIGN(auto restored, two->ServerDigest(spec));
    ASSERT_TRUE(restored.has_value());
    EXPECT_EQ(restored->ToString(), d1->ToString()) << "undoing the change did not restore it";
  }
}

// ---------------------------------------------------------------------------------------------
// 7. A raw chunk loads into an identical table as identical rows.

TEST_P(ConformanceTest, RawPassThrough) {
  std::string source_url = NewDatabase("a"), target_url = NewDatabase("b");
  ASSERT_OK_AND_ASSIGN(auto source, Connect(source_url));
  ASSERT_OK_AND_ASSIGN(auto target, Connect(target_url));
  ASSERT_NO_FATAL_FAILURE(CreateDigestTable(*source));
  ASSERT_NO_FATAL_FAILURE(CreateDigestTable(*target));
  ASSERT_NO_FATAL_FAILURE(Exec(*target, "DELETE FROM dg"));
  ReadSpec spec = Spec("dg", kDigestColumns, KeySpec{.columns = {"id"}});
  ASSERT_OK_AND_ASSIGN(auto raw, source->ReadRaw(spec));
  if (!raw) GTEST_SKIP() << GetParam() << " has no raw chunk format";
  EXPECT_EQ(raw->rows, 3);
  ASSERT_OK_AND_ASSIGN(auto types_source, source->ColumnTypes("dg", kDigestColumns));
  ASSERT_OK_AND_ASSIGN(auto types_target, target->ColumnTypes("dg", kDigestColumns));
  EXPECT_EQ(types_source, types_target);
  ChunkMarker marker{.run_id = "raw",
                     .table = "dg",
                     .chunk = 0,
                     .rows = raw->rows,
                     .digest = "3:00000000000000000000000000000000"};
  ASSERT_OK_AND_ASSIGN(int64_t loaded, target->LoadRawChunk("dg", kDigestColumns, *raw, marker));
  EXPECT_EQ(loaded, 3);
  ASSERT_OK_AND_ASSIGN(auto markers, target->LoadedChunks("raw"));
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].rows, 3);

  // Native SELECT on both sides: every value, byte for byte.
  std::string select =
      Native("", "SELECT id, big, d, f, t, encode(b, 'hex'), flag, day, ts FROM dg ORDER BY id",
             "SELECT id, big, d, f, t, hex(b), flag, day, ts FROM dg ORDER BY id");
  ts::CommandResult want, have;
  if (is("postgres")) {
    want = ts::RunPsql(source_url, select);
    have = ts::RunPsql(target_url, select);
  } else if (is("mysql")) {
    want = ts::RunMariadb(databases_[source_url], select);
    have = ts::RunMariadb(databases_[target_url], select);
  } else {
    FAIL() << "no native SELECT for " << GetParam();
  }
  ASSERT_EQ(want.exit_code, 0) << want.Describe();
  ASSERT_EQ(have.exit_code, 0) << have.Describe();
  EXPECT_EQ(have.out, want.out);
  EXPECT_NE(want.out.find("😀"), std::string::npos) << want.out;

  // A sub-range travels alone; a second load of the same rows is refused as a whole.
  ReadSpec high = spec;
  high.range.lower = KeyTuple{OwnedValue{.kind = ValueKind::kInt, .i = 2}};
  ASSERT_OK_AND_ASSIGN(auto part, source->ReadRaw(high));
  ASSERT_TRUE(part.has_value());
  EXPECT_EQ(part->rows, 2);
  ChunkMarker again = marker;
  again.chunk = 1;
  auto dup = target->LoadRawChunk("dg", kDigestColumns, *part, again);
  EXPECT_FALSE(dup.has_value()) << "duplicate keys accepted through a raw chunk";
  ASSERT_OK_AND_ASSIGN(markers, target->LoadedChunks("raw"));
  EXPECT_EQ(markers.size(), 1u) << "a refused raw chunk left a marker";
  ASSERT_OK_AND_ASSIGN(int64_t count, target->CountRows(spec));
  EXPECT_EQ(count, 3);
}

INSTANTIATE_TEST_SUITE_P(Spi, ConformanceTest, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace peerlock
