#pragma once
// The state store: `.peerlock/state.db`, PeerLock's memory of every run. It records runs,
// steps, the chunk plan of each copy with the chunks done and their digests, per-table results,
// and owns the audit log. Keyed by migration (a hash of the redacted source and target URLs) so
// several migrations can share one directory. Every report is rendered from it.
// Thread-safe: one connection behind a mutex (writes are small and rare next to data work).

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/time_text.h"
#include "state/audit_log.h"
#include "state/sqlite_db.h"

namespace peerlock {

struct RunRecord {
  int64_t id = 0;
  std::string uid;  // random, unique across machines: used in target bookkeeping
  std::string migration;
  std::string kind;            // "copy", "verify", "inventory"
  std::string source, target;  // redacted URLs
  std::string started_at, finished_at;
  std::string status;  // running, succeeded, failed, interrupted, differences
  nlohmann::json options, summary;
};

struct StepRecord {
  std::string name, status, started_at, finished_at;
  nlohmann::json detail;
};

struct ChunkRecord {
  std::string table;
  int chunk = 0;
  std::string range;               // EncodeKeyRange
  std::string status = "pending";  // pending, done
  int64_t rows = 0;
  std::string digest;
  double seconds = 0;
};

// A sync's memory across restarts (sync_state.cc): where its capture started, which phase it
// is in, the last status it published, and requests from other commands (cutover's drain).
struct SyncRecord {
  std::string migration;
  std::string stream;          // CaptureSpec::name
  std::string start_position;  // where the capture started (the copy's snapshot)
  std::string phase;           // copying, streaming, stopped, failed
  std::string drain_to;        // a position to reach and then stop at; empty = none
  nlohmann::json status;       // published by the running sync: lag, per-table counts
  std::string updated_at;
  int64_t pid = 0;  // the process that last wrote it
};

// A cutover's or rollback's memory across crashes (cutover_state.cc): which step it reached and
// what it must know to finish or undo (when the freeze began, the drained position, ...).
struct CutoverRecord {
  std::string migration;
  std::string kind;    // "cutover" or "rollback"
  std::string step;    // the step under way (or the last one, once finished)
  std::string status;  // running, done, aborted, rolled_back
  std::string active;  // where traffic goes: "source" or "target"
  nlohmann::json detail = nlohmann::json::object();  // timings, positions, reasons
  int64_t run = 0;  // the RunRecord of kind `kind` (evidence for status and report)
  std::string updated_at;
};

// Which rows the sync has touched since a cutover began watching (touch_state.cc): the final
// verify, under the freeze, compares those rows again instead of every chunk. `epoch` counts the
// watches (0 = nobody watching); a sync acknowledges an epoch before it applies anything more,
// and records the keys of every batch before applying it.
struct TouchWatch {
  int64_t epoch = 0;
  int64_t acked = 0;  // the last epoch a sync acknowledged
};

class StateStore {
 public:
  // Opens (creating) `<dir>/state.db`; `dir` is created if missing.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir);
  static std::string MigrationKey(const std::string& source, const std::string& target);

  const std::string& dir() const { return dir_; }

  Result<RunRecord> StartRun(const std::string& migration, const std::string& kind,
                             const std::string& source, const std::string& target,
                             const nlohmann::json& options);
  Status FinishRun(int64_t run, const std::string& status, const nlohmann::json& summary);
  Result<std::optional<RunRecord>> LatestRun(const std::string& migration, const std::string& kind);
  // All runs of a migration (every migration when empty), oldest first.
  Result<std::vector<RunRecord>> Runs(const std::string& migration);

  Status StepStarted(int64_t run, const std::string& step);
  Status StepFinished(int64_t run, const std::string& step, const std::string& status,
                      const nlohmann::json& detail = {});
  Result<std::vector<StepRecord>> Steps(int64_t run);

  Status SaveChunkPlan(int64_t run, const std::vector<ChunkRecord>& chunks);
  Result<std::vector<ChunkRecord>> ChunkPlan(int64_t run);
  Status ChunkDone(int64_t run, const std::string& table, int chunk, int64_t rows,
                   const std::string& digest, double seconds);

  Status SaveTableResult(int64_t run, const std::string& table, const nlohmann::json& result);
  Result<std::vector<std::pair<std::string, nlohmann::json>>> TableResults(int64_t run);

  Result<std::optional<SyncRecord>> LoadSync(const std::string& migration);
  // Inserts or replaces the record of `record.migration` (drain_to is left as stored unless
  // `with_drain`).
  Status SaveSync(const SyncRecord& record, bool with_drain = false);
  Status DeleteSync(const std::string& migration);

  // Writes only `drain_to` of a sync record (a running sync picks it up within 100 ms).
  Status RequestDrain(const std::string& migration, const std::string& position);

  Result<std::optional<CutoverRecord>> LoadCutover(const std::string& migration);
  Status SaveCutover(const CutoverRecord& record);

  // Starts a new watch and returns its epoch; the keys of the one before it are kept (read once
  // the new one is acknowledged), older ones forgotten.
  Result<int64_t> StartTouchWatch(const std::string& migration);
  Result<TouchWatch> LoadTouchWatch(const std::string& migration);
  Status AckTouchWatch(const std::string& migration, int64_t epoch);
  // Records encoded keys (EncodeKeyTuple) of `table`; kAllKeys stands for the whole table.
  static constexpr const char* kAllKeys = "*";
  // Past this many keys of one table, comparing the whole table is cheaper than row by row.
  static constexpr size_t kMaxTouchedKeys = 200000;
  Status RecordTouched(const std::string& migration, int64_t epoch, const std::string& table,
                       const std::vector<std::string>& keys);
  // The keys recorded under `epoch`, per table.
  Result<std::map<std::string, std::vector<std::string>>> LoadTouched(const std::string& migration,
                                                                      int64_t epoch);
  // Ends any watch and forgets its keys.
  Status StopTouchWatch(const std::string& migration);

  AuditLog& audit() { return *audit_; }

 private:
  StateStore(std::string dir, StateDb db) : dir_(std::move(dir)), db_(std::move(db)) {}
  Result<std::vector<RunRecord>> QueryRuns(const std::string& where,
                                           const std::vector<std::string>& params);

  std::string dir_;
  std::mutex mu_;
  StateDb db_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace peerlock
