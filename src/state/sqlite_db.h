#pragma once
// A minimal RAII SQLite handle for PeerLock's own files (the state store and audit log).
// Not the SQLite connector: state must not depend on any connector. Not thread-safe; the
// owners serialise access.

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/error.h"

namespace peerlock {

class StateDb {
 public:
  static Result<StateDb> Open(const std::string& path);
  StateDb(StateDb&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
  }
  StateDb& operator=(StateDb&&) = delete;
  ~StateDb() { sqlite3_close(db_); }

  // Runs `sql` with positional text parameters (?1, ?2, ... bound as text, or NULL when the
  // optional marker "\x01NULL" is passed); returns every row as text columns.
  Result<std::vector<std::vector<std::string>>> Query(const std::string& sql,
                                                      const std::vector<std::string>& params = {});
  Status Exec(const std::string& sql, const std::vector<std::string>& params = {});
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  StateDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Error Failure(int rc, const std::string& what) const;
  Result<std::vector<std::vector<std::string>>> QueryOnce(const std::string& sql,
                                                          const std::vector<std::string>& params,
                                                          int& rc);
  // Whether a statement that failed with `rc` should run again (busy, outside a transaction,
  // within the patience); pauses before saying so.
  bool RetryBusy(int rc, int attempt, std::chrono::steady_clock::time_point since) const;
  sqlite3* db_;
  std::string path_;
};

}  // namespace peerlock
