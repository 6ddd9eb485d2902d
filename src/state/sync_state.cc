// StateStore's sync records: one row per migration in `sync_state`, shared between the running
// `peerlock sync` (which publishes its status) and the commands that read or steer it.
#include <unistd.h>

#include "state/state_store.h"

namespace peerlock {
namespace {

constexpr const char* kSyncSchema = R"SQL(
CREATE TABLE IF NOT EXISTS sync_state (
  migration TEXT PRIMARY KEY, stream TEXT NOT NULL, start_position TEXT NOT NULL,
  phase TEXT NOT NULL, drain_to TEXT NOT NULL DEFAULT '', status TEXT, updated_at TEXT NOT NULL,
  pid INTEGER NOT NULL DEFAULT 0);
)SQL";

}  // namespace

Result<std::optional<SyncRecord>> StateStore::LoadSync(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kSyncSchema));
  PL_ASSIGN(auto rows, db_.Query("SELECT migration, stream, start_position, phase, drain_to, "
                                 "status, updated_at, pid FROM sync_state WHERE migration = ?1",
                                 {migration}));
  if (rows.empty()) return std::optional<SyncRecord>();
  const auto& r = rows[0];
  SyncRecord record{.migration = r[0],
                    .stream = r[1],
                    .start_position = r[2],
                    .phase = r[3],
                    .drain_to = r[4],
                    .updated_at = r[6],
                    .pid = std::atoll(r[7].c_str())};
  if (!r[5].empty()) {
    auto j = nlohmann::json::parse(r[5], nullptr, false);
    if (!j.is_discarded()) record.status = std::move(j);
  }
  return std::optional<SyncRecord>(std::move(record));
}

Status StateStore::SaveSync(const SyncRecord& record, bool with_drain) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kSyncSchema));
  std::string drain = with_drain ? ", drain_to = excluded.drain_to" : "";
  return db_.Exec(
      "INSERT INTO sync_state (migration, stream, start_position, phase, drain_to, status, "
      "updated_at, pid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (migration) DO UPDATE SET stream = excluded.stream, "
      "start_position = excluded.start_position, phase = excluded.phase, "
      "status = excluded.status, updated_at = excluded.updated_at, pid = excluded.pid" +
          drain,
      {record.migration, record.stream, record.start_position, record.phase, record.drain_to,
       record.status.is_null() ? "" : record.status.dump(), NowUtc(),
       std::to_string(static_cast<int64_t>(getpid()))});
}

Status StateStore::DeleteSync(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kSyncSchema));
  return db_.Exec("DELETE FROM sync_state WHERE migration = ?1", {migration});
}

Status StateStore::RequestDrain(const std::string& migration, const std::string& position) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kSyncSchema));
  return db_.Exec("UPDATE sync_state SET drain_to = ?2 WHERE migration = ?1",
                  {migration, position});
}

}  // namespace peerlock
