#include "connectors/sqlite/sqlite_errors.h"

namespace peerlock {

Error SqliteError(sqlite3* db, int rc, const std::string& what) {
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  ErrorCode code = ErrorCode::kDatabase;
  std::string hint;
  bool retryable = false;
  switch (primary) {
    case SQLITE_CANTOPEN:
      code = ErrorCode::kConnection;
      hint = "check that the file exists and its directory is readable and writable";
      break;
    case SQLITE_FULL:
      code = ErrorCode::kIo;
      hint = "the disk is full: free space on the target's file system, then rerun with --resume";
      break;
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = ErrorCode::kIo;
      hint = "check file permissions and free disk space";
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = ErrorCode::kConnection;
      hint = "the file is not a valid SQLite database";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      retryable = true;
      hint = "another process holds a lock on the database; stop it or retry";
      break;
    case SQLITE_CONSTRAINT:
      hint = "the target already holds conflicting rows; use --if-exists replace to start over";
      break;
    case SQLITE_INTERRUPT: code = ErrorCode::kCancelled; break;
    default: break;
  }
  Error error(code, what + ": " + message);
  error.WithNative("SQLite " + std::to_string(rc)).Retryable(retryable);
  if (!hint.empty()) error.WithHint(hint);
  return error;
}

}  // namespace peerlock
