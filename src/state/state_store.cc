#include "state/state_store.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <chrono>
#include <filesystem>

#include "base/sha256.h"
#include "base/strings.h"

namespace peerlock {
namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, migration TEXT NOT NULL, kind TEXT NOT NULL,
  source TEXT NOT NULL, target TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
  status TEXT NOT NULL, options TEXT NOT NULL, summary TEXT);
CREATE TABLE IF NOT EXISTS steps (
  run_id INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,
  finished_at TEXT, detail TEXT, PRIMARY KEY (run_id, name));
CREATE TABLE IF NOT EXISTS chunks (
  run_id INTEGER NOT NULL, table_name TEXT NOT NULL, chunk INTEGER NOT NULL, range TEXT NOT NULL,
  status TEXT NOT NULL, rows INTEGER NOT NULL DEFAULT 0, digest TEXT, seconds REAL,
  PRIMARY KEY (run_id, table_name, chunk));
CREATE TABLE IF NOT EXISTS table_results (
  run_id INTEGER NOT NULL, table_name TEXT NOT NULL, result TEXT NOT NULL,
  PRIMARY KEY (run_id, table_name));
)SQL";

std::string RandomUid() {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return fmt::format("run-{:x}", now);
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

nlohmann::json ParseJson(const std::string& text) {
  if (text.empty()) return nullptr;
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Fail(Error(ErrorCode::kIo, "cannot create state directory " + dir + ": " + ec.message())
                    .WithHint("choose a writable directory with --state DIR"));
  PL_ASSIGN(auto db, StateDb::Open(dir + "/state.db"));
  PL_TRY(db.Exec(kSchema));
  auto store = std::unique_ptr<StateStore>(new StateStore(dir, std::move(db)));
  PL_ASSIGN(store->audit_, AuditLog::Open(dir));
  return store;
}

std::string StateStore::MigrationKey(const std::string& source, const std::string& target) {
  std::string text = source + "\n" + target;
  return Sha256Hex(text).substr(0, 16);  // 8 bytes: unique enough to key a directory
}

Result<RunRecord> StateStore::StartRun(const std::string& migration, const std::string& kind,
                                       const std::string& source, const std::string& target,
                                       const nlohmann::json& options) {
  std::lock_guard lock(mu_);
  RunRecord run{.uid = RandomUid(),
                .migration = migration,
                .kind = kind,
                .source = source,
                .target = target,
                .started_at = NowUtc(),
                .status = "running",
                .options = options};
  PL_TRY(db_.Exec(
      "INSERT INTO runs (uid, migration, kind, source, target, started_at, status, "
      "options) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      {run.uid, migration, kind, source, target, run.started_at, run.status, options.dump()}));
  run.id = db_.LastInsertId();
  return run;
}

Status StateStore::FinishRun(int64_t run, const std::string& status,
                             const nlohmann::json& summary) {
  std::lock_guard lock(mu_);
  return db_.Exec("UPDATE runs SET status = ?1, finished_at = ?2, summary = ?3 WHERE id = ?4",
                  {status, NowUtc(), summary.dump(), std::to_string(run)});
}

Result<std::vector<RunRecord>> StateStore::QueryRuns(const std::string& where,
                                                     const std::vector<std::string>& params) {
  PL_ASSIGN(auto rows, db_.Query("SELECT id, uid, migration, kind, source, target, started_at, "
                                 "coalesce(finished_at, ''), status, options, "
                                 "coalesce(summary, '') FROM runs " +
                                     where,
                                 params));
  std::vector<RunRecord> runs;
  for (auto& r : rows) {
    runs.push_back(RunRecord{.id = ParseInt64(r[0]).value_or(0),
                             .uid = r[1],
                             .migration = r[2],
                             .kind = r[3],
                             .source = r[4],
                             .target = r[5],
                             .started_at = r[6],
                             .finished_at = r[7],
                             .status = r[8],
                             .options = ParseJson(r[9]),
                             .summary = ParseJson(r[10])});
  }
  return runs;
}

Result<std::optional<RunRecord>> StateStore::LatestRun(const std::string& migration,
                                                       const std::string& kind) {
  std::lock_guard lock(mu_);
  PL_ASSIGN(auto runs, QueryRuns("WHERE migration = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1",
                                 {migration, kind}));
  if (runs.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(runs[0]));
}

Result<std::vector<RunRecord>> StateStore::Runs(const std::string& migration) {
  std::lock_guard lock(mu_);
  if (migration.empty()) return QueryRuns("ORDER BY id", {});
  return QueryRuns("WHERE migration = ?1 ORDER BY id", {migration});
}

Status StateStore::StepStarted(int64_t run, const std::string& step) {
  std::lock_guard lock(mu_);
  return db_.Exec(
      "INSERT OR REPLACE INTO steps (run_id, name, status, started_at) "
      "VALUES (?1, ?2, 'running', ?3)",
      {std::to_string(run), step, NowUtc()});
}

Status StateStore::StepFinished(int64_t run, const std::string& step, const std::string& status,
                                const nlohmann::json& detail) {
  std::lock_guard lock(mu_);
  return db_.Exec(
      "UPDATE steps SET status = ?1, finished_at = ?2, detail = ?3 "
      "WHERE run_id = ?4 AND name = ?5",
      {status, NowUtc(), detail.dump(), std::to_string(run), step});
}

Result<std::vector<StepRecord>> StateStore::Steps(int64_t run) {
  std::lock_guard lock(mu_);
  PL_ASSIGN(auto rows, db_.Query("SELECT name, status, started_at, coalesce(finished_at, ''), "
                                 "coalesce(detail, '') FROM steps WHERE run_id = ?1 "
                                 "ORDER BY started_at, rowid",
                                 {std::to_string(run)}));
  std::vector<StepRecord> steps;
  for (auto& r : rows) steps.push_back(StepRecord{r[0], r[1], r[2], r[3], ParseJson(r[4])});
  return steps;
}

Status StateStore::SaveChunkPlan(int64_t run, const std::vector<ChunkRecord>& chunks) {
  std::lock_guard lock(mu_);
  // IMMEDIATE: the write lock is waited for here, before anything is read or written.
  PL_TRY(db_.Exec("BEGIN IMMEDIATE"));
  for (const auto& c : chunks) {
    auto st = db_.Exec(
        "INSERT OR REPLACE INTO chunks (run_id, table_name, chunk, range, status) "
        "VALUES (?1, ?2, ?3, ?4, 'pending')",
        {std::to_string(run), c.table, std::to_string(c.chunk), c.range});
    if (!st) {
      (void)db_.Exec("ROLLBACK");  // report the insert's error, not the rollback's
      return st;
    }
  }
  return db_.Exec("COMMIT");
}

Result<std::vector<ChunkRecord>> StateStore::ChunkPlan(int64_t run) {
  std::lock_guard lock(mu_);
  PL_ASSIGN(auto rows, db_.Query("SELECT table_name, chunk, range, status, rows, "
                                 "coalesce(digest, ''), coalesce(seconds, 0) FROM chunks "
                                 "WHERE run_id = ?1 ORDER BY rowid",
                                 {std::to_string(run)}));
  std::vector<ChunkRecord> chunks;
  for (auto& r : rows)
    chunks.push_back(ChunkRecord{.table = r[0],
                                 .chunk = static_cast<int>(ParseInt64(r[1]).value_or(0)),
                                 .range = r[2],
                                 .status = r[3],
                                 .rows = ParseInt64(r[4]).value_or(0),
                                 .digest = r[5],
                                 .seconds = std::atof(r[6].c_str())});
  return chunks;
}

Status StateStore::ChunkDone(int64_t run, const std::string& table, int chunk, int64_t rows,
                             const std::string& digest, double seconds) {
  std::lock_guard lock(mu_);
  return db_.Exec(
      "UPDATE chunks SET status = 'done', rows = ?1, digest = ?2, seconds = ?3 "
      "WHERE run_id = ?4 AND table_name = ?5 AND chunk = ?6",
      {std::to_string(rows), digest, fmt::format("{:.6f}", seconds), std::to_string(run), table,
       std::to_string(chunk)});
}

Status StateStore::SaveTableResult(int64_t run, const std::string& table,
                                   const nlohmann::json& result) {
  std::lock_guard lock(mu_);
  return db_.Exec(
      "INSERT OR REPLACE INTO table_results (run_id, table_name, result) "
      "VALUES (?1, ?2, ?3)",
      {std::to_string(run), table, result.dump()});
}

Result<std::vector<std::pair<std::string, nlohmann::json>>> StateStore::TableResults(int64_t run) {
  std::lock_guard lock(mu_);
  PL_ASSIGN(auto rows, db_.Query("SELECT table_name, result FROM table_results WHERE run_id = ?1 "
                                 "ORDER BY rowid",
                                 {std::to_string(run)}));
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (auto& r : rows) out.emplace_back(r[0], ParseJson(r[1]));
  return out;
}

}  // namespace peerlock
