#include "state/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/sha256.h"
#include "base/strings.h"
#include "base/time_text.h"

namespace peerlock {

namespace {

constexpr const char* kGenesis = "peerlock-audit-v1";

std::string ChainHash(const std::string& prev, int64_t seq, const std::string& at,
                      const std::string& migration, const std::string& action,
                      const std::string& detail) {
  std::string text = prev + "\n" + std::to_string(seq) + "\n" + at + "\n" + migration + "\n" +
                     action + "\n" + detail;
  return Sha256Hex(text);
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& dir) {
  PL_ASSIGN(auto db, StateDb::Open(dir + "/state.db"));
  PL_TRY(
      db.Exec("CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, "
              "migration TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, "
              "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"));
  return std::unique_ptr<AuditLog>(new AuditLog(dir, std::move(db)));
}

Status AuditLog::WriteHead(int64_t seq, const std::string& hash) {
  // Two processes (a sync and a cutover) append at once: each commits its entry, then writes
  // the head. Under one lock, and only when it is newer than the head already there, so an older
  // head never replaces a newer one however the two interleave.
  std::string path = dir_ + "/audit.head", lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Fail(Error(ErrorCode::kIo, "cannot open " + lock_path + ": " + std::strerror(errno))
                    .WithHint("check the state directory's permissions"));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the flock
  } unlock{fd};
  if (::flock(fd, LOCK_EX) != 0)
    return Fail(ErrorCode::kIo, "cannot lock " + lock_path + ": " + std::strerror(errno));
  {
    std::ifstream current(path);
    int64_t current_seq = 0;
    std::string current_hash;
    if (current >> current_seq >> current_hash && current_seq >= seq) return {};
  }
  // Write-then-rename: a crash leaves the old head or the new one, never half of either.
  std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << seq << " " << hash << "\n";
    if (!out.flush())
      return Fail(Error(ErrorCode::kIo, "cannot write " + tmp).WithHint("check free disk space"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Fail(ErrorCode::kIo, "cannot replace " + path + ": " + std::strerror(errno));
  return {};
}

Status AuditLog::Append(const std::string& migration, const std::string& action,
                        const nlohmann::json& detail) {
  std::lock_guard lock(mu_);
  PL_TRY(db_.Exec("BEGIN IMMEDIATE"));
  auto append = [&]() -> Result<std::pair<int64_t, std::string>> {
    PL_ASSIGN(auto last, db_.Query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
    int64_t seq = last.empty() ? 1 : ParseInt64(last[0][0]).value_or(0) + 1;
    std::string prev = last.empty() ? kGenesis : last[0][1];
    std::string at = NowUtc(), body = detail.dump();
    std::string hash = ChainHash(prev, seq, at, migration, action, body);
    PL_TRY(
        db_.Exec("INSERT INTO audit (seq, at, migration, action, detail, prev_hash, hash) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                 {std::to_string(seq), at, migration, action, body, prev, hash}));
    return std::make_pair(seq, hash);
  };
  auto appended = append();
  if (!appended) {
    (void)db_.Exec("ROLLBACK");  // the append's error is the one to report
    return Fail(std::move(appended.error()));
  }
  PL_TRY(db_.Exec("COMMIT"));
  return WriteHead(appended->first, appended->second);
}

Result<AuditCheck> AuditLog::Verify() {
  std::lock_guard lock(mu_);
  PL_ASSIGN(auto rows, db_.Query("SELECT seq, at, migration, action, detail, prev_hash, hash "
                                 "FROM audit ORDER BY seq"));
  AuditCheck check;
  check.entries = static_cast<int64_t>(rows.size());
  std::string prev = kGenesis;
  int64_t expected_seq = 1;
  for (const auto& r : rows) {
    int64_t seq = ParseInt64(r[0]).value_or(-1);
    if (seq != expected_seq)
      check.problems.push_back("entry " + std::to_string(expected_seq) + " is missing (next is " +
                               r[0] + ")");
    if (r[5] != prev)
      check.problems.push_back("entry " + r[0] + " does not chain to the entry before it");
    if (ChainHash(r[5], seq, r[1], r[2], r[3], r[4]) != r[6])
      check.problems.push_back("entry " + r[0] + " (" + r[3] +
                               ") was edited: its hash does not "
                               "match its content");
    prev = r[6];
    expected_seq = seq + 1;
  }
  std::ifstream head(dir_ + "/audit.head");
  int64_t head_seq = 0;
  std::string head_hash;
  if (head >> head_seq >> head_hash) {
    if (head_seq != expected_seq - 1 || head_hash != prev)
      check.problems.push_back("the log ends at entry " + std::to_string(expected_seq - 1) +
                               " but audit.head records entry " + std::to_string(head_seq) +
                               ": entries were removed or the head was edited");
  } else if (!rows.empty()) {
    check.problems.push_back("audit.head is missing: cannot prove no entry was cut off the end");
  }
  return check;
}

Result<std::vector<AuditEntry>> AuditLog::Entries(const std::string& migration) {
  std::lock_guard lock(mu_);
  PL_ASSIGN(auto rows, db_.Query("SELECT seq, at, migration, action, detail, hash FROM audit "
                                 "WHERE ?1 = '' OR migration = ?1 ORDER BY seq",
                                 {migration}));
  std::vector<AuditEntry> out;
  for (auto& r : rows) {
    auto detail = nlohmann::json::parse(r[4], nullptr, false);
    out.push_back(AuditEntry{ParseInt64(r[0]).value_or(0), r[1], r[2], r[3],
                             detail.is_discarded() ? nlohmann::json(nullptr) : detail, r[5]});
  }
  return out;
}

}  // namespace peerlock
