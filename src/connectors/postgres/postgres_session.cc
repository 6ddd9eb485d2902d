#include "connectors/postgres/postgres_session.h"

#include <fmt/format.h>

#include "base/fault_points.h"
#include "base/log.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_errors.h"
#include "connectors/postgres/postgres_sql.h"

namespace peerlock {
namespace {

constexpr size_t kCopyFlushBytes = 1 << 18;

}  // namespace

// Types whose hash function distinguishes exactly what canonical values distinguish
// (CANONICAL.md): 12.50 = 12.5, -0 = 0, equal jsonb, equal instants. Not interval (1 mon =
// 30 days), arrays (dimensions and bounds ignored), records, ranges, or text under a
// non-deterministic collation.
bool HashMatchesCanonical(const std::string& type) {
  static const char* const kPrefixes[] = {
      "smallint",   "integer", "bigint",    "real",         "double precision",
      "boolean",    "date",    "uuid",      "bytea",        "jsonb",
      "text",       "numeric", "timestamp", "time without", "character varying",
      "character(", "oid"};
  if (type.ends_with("[]")) return false;
  for (const char* p : kPrefixes)
    if (type.starts_with(p)) return true;
  return type == "time" || type == "character";
}

Result<std::unique_ptr<PostgresSession>> PostgresSession::Open(const Endpoint& endpoint,
                                                               const SessionOptions& options) {
  PL_ASSIGN(auto conn, PgConnection::Open(endpoint));
  if (conn->server_version() < 100000)
    return Fail(Error(ErrorCode::kUnsupported,
                      fmt::format("{} runs PostgreSQL {}.{}; PeerLock needs 10 or later",
                                  endpoint.Redacted(), conn->server_version() / 10000,
                                  conn->server_version() % 10000))
                    .WithHint("upgrade the server, or migrate with pg_dump"));
  // PeerLock never writes to a source: the server enforces it for every transaction.
  if (options.read_only) PL_TRY(conn->Execute("SET default_transaction_read_only = on"));
  return std::unique_ptr<PostgresSession>(
      new PostgresSession(std::move(conn), endpoint, options.read_only));
}

Status PostgresSession::Execute(const std::string& sql) { return conn_->Execute(sql); }

Status PostgresSession::BeginSnapshot() {
  if (in_snapshot_) return {};
  PL_TRY(conn_->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  // The snapshot is taken by the first statement, not by BEGIN.
  PL_TRY(conn_->Execute("SELECT 1"));
  in_snapshot_ = true;
  return {};
}

Status PostgresSession::EndSnapshot() {
  if (!in_snapshot_) return {};
  in_snapshot_ = false;
  return conn_->Execute("COMMIT");
}

Result<std::string> PostgresSession::ExportSnapshot() {
  if (in_snapshot_) PL_TRY(EndSnapshot());
  PL_TRY(conn_->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  in_snapshot_ = true;
  PL_ASSIGN(auto id, conn_->QueryValue("SELECT pg_export_snapshot()"));
  return id.value_or("");
}

Status PostgresSession::JoinSnapshot(const std::string& token) {
  if (token.empty()) return BeginSnapshot();
  if (in_snapshot_) PL_TRY(EndSnapshot());
  PL_TRY(conn_->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  in_snapshot_ = true;
  return WithContext(conn_->Execute("SET TRANSACTION SNAPSHOT " + conn_->Literal(token)),
                     "joining the copy's snapshot " + token);
}

Result<bool> PostgresSession::TableExists(const std::string& table) {
  PL_ASSIGN(auto oid,
            conn_->QueryValue("SELECT to_regclass($1)::oid::text", {dialect_.QuoteTable(table)}));
  return oid.has_value();
}

Result<bool> PostgresSession::TableIsEmpty(const std::string& table) {
  PL_ASSIGN(auto any,
            conn_->QueryValue("SELECT 1 FROM " + dialect_.QuoteTable(table) + " LIMIT 1"));
  return !any.has_value();
}

Result<const PostgresSession::TableInfo*> PostgresSession::Info(const std::string& table) {
  if (auto it = info_.find(table); it != info_.end()) return &it->second;
  PL_ASSIGN(auto r,
            conn_->Query(
                // binary_ok: the type (and an array's element type) has binary send and
                // receive functions that round-trip; tsquery's receive rejects the empty
                // query its send produces.
                "SELECT c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod), "
                "t.typsend <> 0 AND t.typreceive <> 0 AND t.typname NOT IN ('tsquery', "
                "'_tsquery') AND (e.oid IS NULL OR (e.typsend <> 0 AND e.typreceive <> 0)), "
                "coalesce(co.collisdeterministic, true) "
                "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
                "JOIN pg_type t ON t.oid = a.atttypid "
                "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
                "LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A' "
                "WHERE c.oid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
                "ORDER BY a.attnum",
                {dialect_.QuoteTable(table)}));
  if (PQntuples(r.get()) == 0)
    return Fail(
        Error(ErrorCode::kNotFound, "table " + table + " does not exist on " + endpoint_.Redacted())
            .WithHint("check the table name, or run `peerlock copy` first"));
  TableInfo info;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    info.partitioned = std::string(PQgetvalue(r.get(), i, 0)) == "p";
    info.types[PQgetvalue(r.get(), i, 1)] = PQgetvalue(r.get(), i, 2);
    info.columns.push_back(PQgetvalue(r.get(), i, 1));
    if (std::string(PQgetvalue(r.get(), i, 3)) != "t") info.binary_ok = false;
    if (std::string(PQgetvalue(r.get(), i, 4)) != "t" ||
        !HashMatchesCanonical(PQgetvalue(r.get(), i, 2)))
      info.hash_faithful = false;
  }
  return &(info_[table] = std::move(info));
}

Result<std::vector<PgCell>> PostgresSession::Cells(const std::string& table,
                                                   const std::vector<std::string>& columns) {
  PL_ASSIGN(const TableInfo* info, Info(table));
  std::vector<PgCell> cells;
  for (const auto& c : columns) {
    auto it = info->types.find(c);
    if (it == info->types.end())
      return Fail(Error(ErrorCode::kNotFound, "table " + table + " on " + endpoint_.Redacted() +
                                                  " has no column '" + c + "'")
                      .WithHint("the table differs from the plan: recreate it with "
                                "--if-exists replace, or fix the plan's rename rules"));
    cells.push_back(PgCellFor(it->second));
  }
  return cells;
}

Result<std::vector<PgBinaryType>> PostgresSession::BinaryTypes(
    const std::string& table, const std::vector<std::string>& columns) {
  PL_ASSIGN(const TableInfo* info, Info(table));
  std::vector<PgBinaryType> types;
  for (const auto& c : columns) {
    auto it = info->types.find(c);
    auto type = it == info->types.end() ? std::nullopt : PgBinaryTypeFor(it->second);
    if (!type) return std::vector<PgBinaryType>();  // one column without: the table goes as text
    types.push_back(*type);
  }
  return types;
}

Status PostgresSession::EnsureBookkeeping() {
  if (bookkeeping_ready_) return {};
  // Parallel writers race to create it; IF NOT EXISTS is not atomic in PostgreSQL, so losing
  // the race (a duplicate type or table) means the table is there.
  if (auto st = conn_->Execute(std::string(sql::kBookkeeping)); !st) {
    PL_ASSIGN(bool exists, TableExists("public._peerlock_chunks"));
    if (!exists) return st;
  }
  bookkeeping_ready_ = true;
  return {};
}

Result<int64_t> PostgresSession::InOneTransaction(
    const std::function<Result<int64_t>(bool& copying)>& load, const ChunkMarker& marker) {
  PL_TRY(EnsureBookkeeping());
  PL_TRY(conn_->Execute("BEGIN"));
  bool copying = false;
  auto loaded = load(copying);
  if (loaded) {
    auto marked = conn_->Query(
        "INSERT INTO public._peerlock_chunks (run_id, table_name, chunk, rows, digest) "
        "VALUES ($1, $2, $3, $4, $5)",
        {marker.run_id, marker.table, std::to_string(marker.chunk), std::to_string(*loaded),
         marker.digest});
    if (!marked) loaded = Fail(std::move(marked.error()));
  }
  if (!loaded) {
    if (copying) {
      PQputCopyEnd(conn_->raw(), "aborted by PeerLock");
      while (PGresult* r = PQgetResult(conn_->raw())) PQclear(r);
    }
    (void)conn_->Execute("ROLLBACK");  // the load error is the one worth reporting
    return loaded;
  }
  PL_TRY(conn_->Execute("COMMIT"));
  return loaded;
}

Result<int64_t> PostgresSession::LoadChunk(const std::string& table,
                                           const std::vector<std::string>& columns, RowSource& rows,
                                           const ChunkMarker& marker) {
  PL_ASSIGN(auto cells, Cells(table, columns));
  PL_ASSIGN(auto binary_types, BinaryTypes(table, columns));
  const std::string copy =
      "COPY " + dialect_.QuoteTable(table) + " (" + dialect_.QuoteList(columns) + ") FROM STDIN";
  return InOneTransaction(
      [&](bool& copying) -> Result<int64_t> {
        // Binary while every value has a form the binary encoder writes; from the first that
        // has not, the rest of the chunk goes as text in a second COPY of the same transaction.
        bool binary = !binary_types.empty();
        PL_TRY(conn_->StartCopy(binary ? copy + " (FORMAT binary)" : copy, PGRES_COPY_IN));
        copying = true;
        int64_t loaded = 0;
        std::string buffer;
        buffer.reserve(kCopyFlushBytes * 2);
        if (binary) AppendBinaryCopyHeader(buffer);
        auto flush = [&]() -> Status {
          if (buffer.empty()) return {};
          if (PQputCopyData(conn_->raw(), buffer.data(), static_cast<int>(buffer.size())) != 1)
            return Fail(conn_->ConnectionError("sending rows to " + table));
          buffer.clear();
          return {};
        };
        RowBatch batch;
        while (true) {
          PL_ASSIGN(bool more, rows.Next(batch));
          if (!more) break;
          for (size_t r = 0; r < batch.rows(); ++r) {
            if (binary && !EncodeBinaryCopyRow(batch, r, binary_types, buffer)) {
              PL_LOG_DEBUG(
                  "{}: row {} of the chunk has a value binary COPY does not take as "
                  "it is; the rest of the chunk is loaded as text",
                  table, loaded + 1);
              AppendBinaryCopyTrailer(buffer);
              PL_TRY(flush());
              copying = false;
              PL_TRY(conn_->EndCopyIn());
              PL_TRY(conn_->StartCopy(copy, PGRES_COPY_IN));
              copying = true;
              binary = false;
            }
            if (!binary) {
              int bad = -1;
              if (auto st = EncodeCopyRow(batch, r, cells, buffer, &bad); !st) {
                Error e = st.error();
                return Fail(
                    e.Context(fmt::format("table {} column '{}' (row {} of the chunk)", table,
                                          bad >= 0 ? columns[bad] : "?", loaded + 1)));
              }
            }
            ++loaded;
            FaultPoint("copy.row_inserted");  // crash tests: die mid-transaction
            if (buffer.size() >= kCopyFlushBytes) PL_TRY(flush());
          }
        }
        if (binary) AppendBinaryCopyTrailer(buffer);
        PL_TRY(flush());
        copying = false;
        PL_TRY(conn_->EndCopyIn());
        return loaded;
      },
      marker);
}

Result<int64_t> PostgresSession::LoadRawChunk(const std::string& table,
                                              const std::vector<std::string>& columns,
                                              const RawChunk& chunk, const ChunkMarker& marker) {
  return InOneTransaction(
      [&](bool& copying) -> Result<int64_t> {
        PL_TRY(conn_->StartCopy("COPY " + dialect_.QuoteTable(table) + " (" +
                                    dialect_.QuoteList(columns) + ") FROM STDIN (FORMAT binary)",
                                PGRES_COPY_IN));
        copying = true;
        int64_t hits = 0;
        size_t total = std::max<size_t>(1, chunk.bytes()), sent = 0;
        for (const auto& piece : chunk.pieces) {
          if (PQputCopyData(conn_->raw(), piece.data(), static_cast<int>(piece.size())) != 1)
            return Fail(conn_->ConnectionError("sending rows to " + table));
          sent += piece.size();
          // Crash tests count rows: hit the point for the rows this piece carried (about).
          int64_t upto = static_cast<int64_t>(static_cast<double>(chunk.rows) * sent / total);
          for (; hits < upto; ++hits) FaultPoint("copy.row_inserted");
        }
        copying = false;
        PL_TRY(conn_->EndCopyIn());
        return chunk.rows;
      },
      marker);
}

Result<std::vector<std::string>> PostgresSession::ColumnTypes(
    const std::string& table, const std::vector<std::string>& columns) {
  PL_ASSIGN(const TableInfo* info, Info(table));
  std::vector<std::string> types;
  if (!info->binary_ok) return types;  // some type cannot travel as binary COPY: decode it
  for (const auto& c : columns) {
    auto it = info->types.find(c);
    types.push_back(it == info->types.end() ? "" : it->second);
  }
  return types;
}

Result<std::vector<ChunkMarker>> PostgresSession::LoadedChunks(const std::string& run_id) {
  std::vector<ChunkMarker> markers;
  PL_ASSIGN(bool exists, TableExists("public._peerlock_chunks"));
  if (!exists) return markers;
  PL_ASSIGN(auto r, conn_->Query("SELECT table_name, chunk, rows, digest FROM "
                                 "public._peerlock_chunks WHERE run_id = $1 ORDER BY 1, 2",
                                 {run_id}));
  for (int i = 0; i < PQntuples(r.get()); ++i)
    markers.push_back(ChunkMarker{.run_id = run_id,
                                  .table = PQgetvalue(r.get(), i, 0),
                                  .chunk = std::atoi(PQgetvalue(r.get(), i, 1)),
                                  .rows = std::atoll(PQgetvalue(r.get(), i, 2)),
                                  .digest = PQgetvalue(r.get(), i, 3)});
  return markers;
}

Status PostgresSession::ForgetChunks(const std::string& run_id) {
  PL_ASSIGN(bool exists, TableExists("public._peerlock_chunks"));
  if (!exists) return {};
  PL_TRY(conn_->Query("DELETE FROM public._peerlock_chunks WHERE run_id = $1", {run_id}));
  PL_ASSIGN(auto any, conn_->QueryValue("SELECT 1 FROM public._peerlock_chunks LIMIT 1"));
  if (!any) {
    bookkeeping_ready_ = false;
    return conn_->Execute("DROP TABLE IF EXISTS public._peerlock_chunks");
  }
  return {};
}

Result<std::vector<std::string>> PostgresSession::CheckForeignKeys() {
  // Foreign keys were added NOT VALID; validating them scans once and names a violation.
  PL_ASSIGN(auto r, conn_->Query("SELECT conrelid::regclass::text, quote_ident(conname) "
                                 "FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"));
  std::vector<std::string> problems;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::string table = PQgetvalue(r.get(), i, 0), name = PQgetvalue(r.get(), i, 1);
    auto st = conn_->Execute("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + name);
    if (!st) problems.push_back(table + " " + name + ": " + st.error().message());
  }
  return problems;
}

Result<std::vector<SequenceValue>> PostgresSession::Sequences() {
  PL_ASSIGN(auto r, conn_->Query(std::string(sql::kSequences)));
  std::vector<SequenceValue> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    SequenceValue s;
    std::string schema = PQgetvalue(r.get(), i, 0);
    s.name = PeerlockName(schema, PQgetvalue(r.get(), i, 1));
    s.called = !PQgetisnull(r.get(), i, 2);
    s.last_value = std::atoll(PQgetvalue(r.get(), i, s.called ? 2 : 3));
    if (!PQgetisnull(r.get(), i, 4)) s.owner = PQgetvalue(r.get(), i, 4);
    out.push_back(std::move(s));
  }
  return out;
}

Result<SequencesSet> PostgresSession::SetSequences(const std::vector<SequenceValue>& sequences) {
  SequencesSet result;
  for (const auto& s : sequences) {
    // By name where the target has it, else the sequence behind the column it feeds ("table.
    // column": an identity rendered by PeerLock, or a table the plan renamed).
    std::optional<std::string> sequence;
    if (!s.name.empty()) {
      std::string name = dialect_.QuoteTable(s.name);
      PL_ASSIGN(auto oid, conn_->QueryValue("SELECT to_regclass($1)::oid::text", {name}));
      if (oid) sequence = name;
    }
    if (auto dot = s.owner.rfind('.'); !sequence && dot != std::string::npos) {
      std::string table = dialect_.QuoteTable(s.owner.substr(0, dot));
      PL_ASSIGN(auto exists, conn_->QueryValue("SELECT to_regclass($1)::oid::text", {table}));
      if (exists) {
        PL_ASSIGN(sequence, conn_->QueryValue("SELECT pg_get_serial_sequence($1, $2)",
                                              {table, s.owner.substr(dot + 1)}));
      }
    }
    if (!sequence) {
      result.missing.push_back(s.name.empty() ? s.owner : s.name);
      continue;
    }
    PL_TRY(conn_->Query("SELECT setval($1::regclass, $2, $3)",
                        {*sequence, std::to_string(s.last_value), s.called ? "true" : "false"}));
    ++result.set;
  }
  return result;
}

}  // namespace peerlock
