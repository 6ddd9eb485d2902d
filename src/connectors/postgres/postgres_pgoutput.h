#pragma once
// The pgoutput logical replication protocol (version 1), decoded: the messages PostgreSQL's
// built-in output plugin sends inside XLogData, and LSN text forms. Pure and allocation-light;
// every length is checked, so a truncated or corrupt message is an error, never a crash.
// Thread-safe (no state).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace peerlock {

using Lsn = uint64_t;

// "16/B374D848" <-> 0x16B374D848.
std::string FormatLsn(Lsn lsn);
std::optional<Lsn> ParseLsn(std::string_view text);

// One column value of a tuple.
struct PgTupleValue {
  enum Kind : char { kNull = 'n', kUnchanged = 'u', kText = 't', kBinary = 'b' } kind = kNull;
  std::string_view data;  // points into the message
};

struct PgRelationColumn {
  bool key = false;
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct PgMessage {
  enum Type : char {
    kBegin = 'B',
    kCommit = 'C',
    kOrigin = 'O',
    kRelation = 'R',
    kType = 'Y',
    kInsert = 'I',
    kUpdate = 'U',
    kDelete = 'D',
    kTruncate = 'T',
    kMessage = 'M',
  } type = kBegin;

  // Begin: final_lsn, commit_time, xid. Commit: commit_lsn (lsn), end_lsn, commit_time.
  Lsn lsn = 0;
  Lsn end_lsn = 0;
  int64_t commit_time_pg = 0;  // microseconds since 2000-01-01
  uint32_t xid = 0;

  // Relation / Insert / Update / Delete / Type.
  uint32_t relation = 0;
  std::string schema, name;  // relation or type names; origin name
  char replica_identity = 'd';
  std::vector<PgRelationColumn> columns;

  // Insert/Update: new tuple. Update/Delete: old tuple ('K' key only, 'O' whole old row).
  char old_kind = 0;  // 0 when absent
  std::vector<PgTupleValue> old_tuple;
  std::vector<PgTupleValue> new_tuple;

  // Truncate.
  std::vector<uint32_t> relations;
  bool cascade = false, restart_identity = false;
};

// Decodes one pgoutput message (the payload of an XLogData frame). Message types PeerLock
// does not use ('M' logical messages, stream messages) decode as their type with no fields.
Result<PgMessage> DecodePgOutput(std::string_view data);

// PostgreSQL epoch (2000-01-01) microseconds -> Unix epoch microseconds.
inline int64_t PgTimeToUnixMicros(int64_t pg) { return pg + 946684800LL * 1000000LL; }

}  // namespace peerlock
