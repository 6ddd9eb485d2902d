#pragma once
// The change-data-capture SPI (`peerlock sync`): a source dialect captures committed
// transactions from its log (PostgreSQL pgoutput, MariaDB binlog, SQLite trigger changelog)
// and a target dialect applies net changes by key, recording the source position in the same
// transaction. The engine in between (src/engine/sync/) orders, batches, transforms and
// confirms; it never sees a protocol.
//
// Positions are opaque strings owned by the capturing dialect: the engine stores them, hands
// them back to resume, and never compares them itself.
//
// Threading: a CaptureHandle or ChangeStream belongs to one thread at a time.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "core/row_batch.h"

namespace peerlock {

// One source table to capture, with the columns the copy reads (TableMapping::source_columns:
// generated columns excluded) and its primary key. Rows are delivered in exactly this column
// order whatever order the log uses.
struct CaptureTable {
  std::string table;                 // source table name as the catalog names it
  std::vector<std::string> columns;  // delivered row layout
  std::vector<std::string> key;      // primary key columns (a subset of `columns`)
  // Source columns left out on purpose (the plan drops them, or the engine computes them): a
  // log that carries them is not a schema change.
  std::vector<std::string> ignored;
};

// The native code of the error a change stream stops with when a captured table gained columns
// the spec does not deliver, before the first change that carries them. The engine may follow
// it (nullable columns added: added on the target too, then the stream reopened from the
// target's position with the new columns); otherwise the error reaches the user as it is.
inline constexpr char kGainedColumnsNative[] = "peerlock.gained_columns";

struct CaptureSpec {
  std::string name;  // stable per migration ("peerlock_<8 hex>"): slot, publication, triggers
  std::vector<CaptureTable> tables;
  // A transaction with more row changes than this reaches Next in parts of this many (every
  // part but the last has ChangeTxn::more set), so that memory stays bounded whatever a single
  // source transaction holds. 0: whole transactions only.
  int64_t part_changes = 0;
};

// What StartCapture established: where the log is read from, and the snapshot the copy reads
// so that the copy plus every change after `position` is the source, with no gap.
class CaptureHandle {
 public:
  virtual ~CaptureHandle() = default;
  // The position changes are read from (the first change not in the snapshot).
  virtual const std::string& position() const = 0;
  // A token for Session::JoinSnapshot that reads exactly the data before `position`; empty
  // when the dialect cannot export one (the copy then reads fresh snapshots, which converges
  // because changes are applied idempotently by key from `position`, earlier than any of them).
  virtual const std::string& snapshot() const = 0;
  // Releases the snapshot (the copy is done with it). The capture itself stays.
  virtual Status ReleaseSnapshot() = 0;
};

// The handle of a dialect that cannot export a snapshot (MariaDB, SQLite): its start position
// only; the copy then reads fresh snapshots, all taken after it.
class PositionOnlyCaptureHandle final : public CaptureHandle {
 public:
  explicit PositionOnlyCaptureHandle(std::string position) : position_(std::move(position)) {}
  const std::string& position() const override { return position_; }
  const std::string& snapshot() const override { return snapshot_; }
  Status ReleaseSnapshot() override { return {}; }

 private:
  std::string position_;
  std::string snapshot_;
};

enum class ChangeKind : uint8_t { kInsert, kUpdate, kDelete, kTruncate };

// One row change inside a transaction. Rows live in the transaction's per-table batches.
struct RowChange {
  ChangeKind kind = ChangeKind::kInsert;
  int table = 0;     // index into CaptureSpec::tables
  int new_row = -1;  // row in ChangeTxn::rows[table] (insert, update)
  int old_key = -1;  // row in ChangeTxn::old_keys[table]: the key before an update that changed
                     // it, or the deleted key; -1 when the key did not change
  int missing = -1;  // index into ChangeTxn::missing: columns absent from new_row (PostgreSQL's
                     // unchanged TOAST values), whose cells hold NULL and must be left as they are
};

// One committed source transaction, in commit order, or one part of it (CaptureSpec::
// part_changes): the parts of a transaction come one after the other, and only its last part
// (more = false) carries the position; a stream reopened at the position before it sends the
// whole transaction again.
struct ChangeTxn {
  std::string position;        // where a resumed stream continues after this transaction
  bool more = false;           // a part: the transaction goes on in the next ChangeTxn
  int64_t commit_time_us = 0;  // source commit time, microseconds since the epoch (0 = unknown)
  int64_t bytes = 0;           // log bytes this transaction took (for lag and throughput)
  std::vector<RowChange> changes;
  std::vector<RowBatch> rows;      // per capture table: new row images (CaptureTable::columns)
  std::vector<RowBatch> old_keys;  // per capture table: key images (CaptureTable::key)
  std::vector<std::vector<int>> missing;  // column index lists referenced by RowChange::missing
};

// A transaction for a capture to fill: an empty batch per captured table (new row images, key
// images), in CaptureSpec::tables order.
inline ChangeTxn EmptyChangeTxn(const CaptureSpec& spec) {
  ChangeTxn txn;
  for (const CaptureTable& t : spec.tables) {
    txn.rows.emplace_back(static_cast<int>(t.columns.size()));
    txn.old_keys.emplace_back(static_cast<int>(t.key.size()));
  }
  return txn;
}

// Whether a capture's open transaction holds a part's worth of changes (part_changes).
inline bool PartFull(const CaptureSpec& spec, const ChangeTxn& open) {
  return spec.part_changes > 0 && static_cast<int64_t>(open.changes.size()) >= spec.part_changes;
}

// Hands `open` out as a part (more = true) and leaves it empty for the rest of its transaction.
inline ChangeTxn TakePart(const CaptureSpec& spec, ChangeTxn& open, int64_t commit_time_us,
                          int64_t bytes) {
  ChangeTxn part = std::exchange(open, EmptyChangeTxn(spec));
  part.more = true;
  part.commit_time_us = commit_time_us;
  part.bytes = bytes;
  return part;
}

// How far the stream is behind the source, as the source sees it.
struct CaptureLag {
  int64_t bytes_behind = -1;    // source log not yet delivered (-1 = unknown)
  int64_t retained_bytes = -1;  // source log kept for us (slot's restart point to now)
};

class ChangeStream {
 public:
  virtual ~ChangeStream() = default;
  // The next committed transaction, or nullopt when none arrived within `wait`. A schema
  // change the capture cannot follow fails with kUnsupported naming the table and the change.
  virtual Result<std::optional<ChangeTxn>> Next(std::chrono::milliseconds wait) = 0;
  // The target durably holds every transaction up to `position`: the source may discard its
  // log before it.
  virtual Status Confirm(const std::string& position) = 0;
  // The target has committed (made visible, not necessarily durable) every transaction up to
  // `position`: reported for the source's lag accounting only.
  virtual Status Applied(const std::string& position) {
    (void)position;
    return {};
  }
  virtual Result<CaptureLag> Lag() = 0;
  // A position such that every transaction committed before it has been returned by Next
  // (or was not ours). Together with the target having applied the last one returned, the sync
  // is caught up to it (drain, --until-caught-up). May ask the source for news; "" = unknown.
  virtual Result<std::string> Received() { return std::string(); }
  // Whether `position` is at or after `stop_at` (a position of this dialect); nullopt when
  // `stop_at` is not a position of this dialect (the engine then tries it as a time).
  virtual std::optional<bool> Reached(const std::string& position, const std::string& stop_at) {
    (void)position, (void)stop_at;
    return std::nullopt;
  }
};

// Net changes for one target table, applied as: truncate (if set), deletes, upserts, patches.
struct TableChanges {
  std::string table;                 // target table
  std::vector<std::string> columns;  // target columns of `upserts`
  std::vector<std::string> key;      // target key columns (the layout of `deletes`)
  bool truncate = false;
  RowBatch deletes;  // keys of rows that must not exist
  RowBatch upserts;  // whole rows: insert, or replace the row with the same key
  // Rows of which only some columns are known (unchanged TOAST): update those in place.
  struct Patch {
    RowBatch row;              // one row, `columns` layout; absent columns hold NULL
    std::vector<int> columns;  // indexes into `columns` to set
  };
  std::vector<Patch> patches;
};

// One target transaction: the net effect of consecutive source transactions and the position
// after the last of them, recorded for `stream` in the same transaction.
// A partial set (a source transaction too large to hold, delivered in parts) is applied and the
// target transaction left open: the sets after it continue the same target transaction, and
// the first set that is not partial records its position and commits them all together.
struct ChangeSet {
  std::string stream;                // CaptureSpec::name
  std::string position;              // ChangeTxn::position of the last transaction folded in
  std::vector<TableChanges> tables;  // in apply order (parents before children)
  bool partial = false;              // leave the target transaction open, record no position
};

}  // namespace peerlock
