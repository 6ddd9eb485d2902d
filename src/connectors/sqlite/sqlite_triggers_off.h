#pragma once
// Turns a connection's triggers off for the lifetime of the guard, then back as they were: how
// PeerLock's own writes (change apply, purge) pass the freeze triggers of a cutover.
#include <sqlite3.h>

namespace peerlock {

class TriggersOff {
 public:
  explicit TriggersOff(sqlite3* db) : db_(db) {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &was_);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, static_cast<int*>(nullptr));
  }
  ~TriggersOff() {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, was_, static_cast<int*>(nullptr));
  }
  TriggersOff(const TriggersOff&) = delete;
  TriggersOff& operator=(const TriggersOff&) = delete;

 private:
  sqlite3* db_;
  int was_ = 1;
};

}  // namespace peerlock
