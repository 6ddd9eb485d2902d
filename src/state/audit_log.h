#pragma once
// The hash-chained audit log: every action PeerLock takes appends an entry whose hash covers
// the previous entry's hash, so editing or deleting any entry breaks the chain. The latest
// sequence number and hash are also written to `<dir>/audit.head`, so cutting entries off the
// end is detected too. Stored in `<dir>/state.db`, table `audit`. Thread-safe.

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "state/sqlite_db.h"

namespace peerlock {

struct AuditEntry {
  int64_t seq = 0;
  std::string at, migration, action;
  nlohmann::json detail;
  std::string hash;
};

struct AuditCheck {
  int64_t entries = 0;
  std::vector<std::string> problems;  // empty when the chain is intact
  bool ok() const { return problems.empty(); }
};

class AuditLog {
 public:
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& dir);

  // Appends an entry. `detail` must not hold secrets (callers pass redacted URLs).
  Status Append(const std::string& migration, const std::string& action,
                const nlohmann::json& detail);
  // Recomputes the chain from the first entry and compares with audit.head.
  Result<AuditCheck> Verify();
  // Entries of `migration` (all when empty), oldest first.
  Result<std::vector<AuditEntry>> Entries(const std::string& migration);

 private:
  AuditLog(std::string dir, StateDb db) : dir_(std::move(dir)), db_(std::move(db)) {}
  Status WriteHead(int64_t seq, const std::string& hash);

  std::string dir_;
  std::mutex mu_;
  StateDb db_;
};

}  // namespace peerlock
