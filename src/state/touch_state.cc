// StateStore's touch watch: the rows a sync changed on the target since a cutover started
// watching, so that the final verify under the freeze compares those rows (plus counts) instead
// of every chunk. Shared between the running `peerlock sync` (which records) and the cutover
// (which starts the watch, waits for the acknowledgement and reads the keys).
#include "state/state_store.h"

namespace peerlock {
namespace {

constexpr const char* kTouchSchema = R"SQL(
CREATE TABLE IF NOT EXISTS touch_watch (
  migration TEXT PRIMARY KEY, epoch INTEGER NOT NULL, acked INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS touched_keys (
  migration TEXT NOT NULL, epoch INTEGER NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL,
  PRIMARY KEY (migration, epoch, tbl, key)) WITHOUT ROWID;
)SQL";

}  // namespace

Result<int64_t> StateStore::StartTouchWatch(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kTouchSchema));
  PL_TRY(
      db_.Exec("INSERT INTO touch_watch (migration, epoch, acked) VALUES (?1, 1, 0) "
               "ON CONFLICT (migration) DO UPDATE SET epoch = "
               "(SELECT max(epoch, acked) FROM touch_watch WHERE migration = ?1) + 1",
               {migration}));
  PL_ASSIGN(auto rows,
            db_.Query("SELECT epoch FROM touch_watch WHERE migration = ?1", {migration}));
  const int64_t epoch = std::atoll(rows.at(0).at(0).c_str());
  // The previous watch's keys stay: a cutover reads them once this one is acknowledged.
  PL_TRY(db_.Exec("DELETE FROM touched_keys WHERE migration = ?1 AND epoch < ?2",
                  {migration, std::to_string(epoch - 1)}));
  return epoch;
}

Result<TouchWatch> StateStore::LoadTouchWatch(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kTouchSchema));
  PL_ASSIGN(auto rows,
            db_.Query("SELECT epoch, acked FROM touch_watch WHERE migration = ?1", {migration}));
  if (rows.empty()) return TouchWatch{};
  return TouchWatch{.epoch = std::atoll(rows[0][0].c_str()),
                    .acked = std::atoll(rows[0][1].c_str())};
}

Status StateStore::AckTouchWatch(const std::string& migration, int64_t epoch) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kTouchSchema));
  return db_.Exec("UPDATE touch_watch SET acked = ?2 WHERE migration = ?1 AND epoch = ?2",
                  {migration, std::to_string(epoch)});
}

Status StateStore::RecordTouched(const std::string& migration, int64_t epoch,
                                 const std::string& table, const std::vector<std::string>& keys) {
  if (keys.empty()) return {};
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kTouchSchema));
  // One statement per batch: the keys travel as one JSON array.
  return db_.Exec(
      "INSERT OR IGNORE INTO touched_keys (migration, epoch, tbl, key) "
      "SELECT ?1, ?2, ?3, value FROM json_each(?4)",
      {migration, std::to_string(epoch), table, nlohmann::json(keys).dump()});
}

Result<std::map<std::string, std::vector<std::string>>> StateStore::LoadTouched(
    const std::string& migration, int64_t epoch) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kTouchSchema));
  PL_ASSIGN(auto rows, db_.Query("SELECT tbl, key FROM touched_keys WHERE migration = ?1 AND "
                                 "epoch = ?2 ORDER BY tbl, key",
                                 {migration, std::to_string(epoch)}));
  std::map<std::string, std::vector<std::string>> touched;
  for (auto& r : rows) touched[r[0]].push_back(std::move(r[1]));
  return touched;
}

Status StateStore::StopTouchWatch(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec(kTouchSchema));
  // The epoch is kept (a later watch must get a new number); 0 in `acked` is irrelevant.
  PL_TRY(
      db_.Exec("UPDATE touch_watch SET acked = max(epoch, acked), epoch = 0 "
               "WHERE migration = ?1",
               {migration}));
  return db_.Exec("DELETE FROM touched_keys WHERE migration = ?1", {migration});
}

}  // namespace peerlock
