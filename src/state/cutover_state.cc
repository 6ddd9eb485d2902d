// StateStore's cutover records: one row per migration in `cutover_state`, written before and
// after every step of `peerlock cutover` / `peerlock rollback`, so a re-run after a crash knows
// whether to finish or to undo.
#include "state/state_store.h"

namespace peerlock {
namespace {

constexpr const char* kCutoverSchema = R"SQL(
CREATE TABLE IF NOT EXISTS cutover_state (
  migration TEXT PRIMARY KEY, kind TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL,
  active TEXT NOT NULL, detail TEXT NOT NULL, run INTEGER NOT NULL, updated_at TEXT NOT NULL);
)SQL";

}  // namespace

Result<std::optional<CutoverRecord>> StateStore::LoadCutover(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kCutoverSchema));
  PL_ASSIGN(auto rows, db_.Query("SELECT migration, kind, step, status, active, detail, run, "
                                 "updated_at FROM cutover_state WHERE migration = ?1",
                                 {migration}));
  if (rows.empty()) return std::optional<CutoverRecord>();
  const auto& r = rows[0];
  CutoverRecord record{.migration = r[0],
                       .kind = r[1],
                       .step = r[2],
                       .status = r[3],
                       .active = r[4],
                       .run = std::atoll(r[6].c_str()),
                       .updated_at = r[7]};
  auto detail = nlohmann::json::parse(r[5], nullptr, false);
  if (detail.is_object()) record.detail = std::move(detail);
  return std::optional<CutoverRecord>(std::move(record));
}

Status StateStore::SaveCutover(const CutoverRecord& record) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kCutoverSchema));
  return db_.Exec(
      "INSERT INTO cutover_state (migration, kind, step, status, active, detail, run, "
      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (migration) DO UPDATE "
      "SET kind = excluded.kind, step = excluded.step, status = excluded.status, "
      "active = excluded.active, detail = excluded.detail, run = excluded.run, "
      "updated_at = excluded.updated_at",
      {record.migration, record.kind, record.step, record.status, record.active,
       record.detail.dump(), std::to_string(record.run), NowUtc()});
}

}  // namespace peerlock
