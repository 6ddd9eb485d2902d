#pragma once
// Folds consecutive captured transactions into their net effect per key, then renders it as a
// ChangeSet for the target (after the plan's transform rules, exactly as the copy applies
// them). Applying the net effect of transactions T1..Tn atomically with Tn's position takes the
// target from the state after T0 to the state after Tn, which is what applying them one by one
// would do — with one round of statements per table instead of one per change.
// Not thread-safe: one folder per sync loop.

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "connector/change_capture.h"
#include "convert/table_mapping.h"

namespace peerlock {

struct FoldStats {
  int64_t changes = 0;  // row changes folded in (before netting)
  int64_t txns = 0;
  int64_t bytes = 0;
  int64_t last_commit_time_us = 0;
};

class ChangeFolder {
 public:
  // `tables` parallels CaptureSpec::tables: the mapping of each captured table, in apply order
  // (parents before children) given by `order` (indexes into `tables`).
  ChangeFolder(std::vector<const TableMapping*> tables, std::vector<int> order);

  // Folds `txn` in (or a part of it: ChangeTxn::more). Fails when a row does not fit its
  // table's layout.
  Status Add(const ChangeTxn& txn);

  bool empty() const { return stats_.txns == 0 && stats_.changes == 0; }
  const FoldStats& stats() const { return stats_; }
  const std::string& position() const { return position_; }
  // Row changes folded in per capture table since the last Take.
  const std::vector<int64_t>& per_table() const { return per_table_; }

  // Keys touched per capture table since the last Take (source values, one row per key), and
  // whether the table was truncated: what a cutover's final verify must look at again.
  const RowBatch& touched_keys(size_t table) const { return tables_[table].key_cells; }
  bool truncated(size_t table) const { return tables_[table].truncate; }

  // The net changes for the target (tables untouched are left out), and resets the folder.
  Result<ChangeSet> Take(const std::string& stream);

 private:
  enum class State : uint8_t { kRow, kDeleted, kPatch };
  struct Entry {
    State state = State::kRow;
    int row = -1;              // in Table::rows
    std::vector<int> missing;  // kPatch: columns not known
  };
  struct Table {
    bool truncate = false;
    RowBatch rows;                                // source layout (TableMapping::source_columns)
    std::unordered_map<std::string, Entry> keys;  // key bytes -> final state
    std::vector<std::string> order;               // keys in first-touch order (stable output)
    RowBatch key_cells;                           // one row per entry of `order`
  };

  void Touch(Table& t, const std::string& key, const RowBatch& from, size_t row,
             const std::vector<int>& positions);
  static std::string KeyBytes(const RowBatch& batch, size_t row, const std::vector<int>& cols);

  std::vector<const TableMapping*> mappings_;
  std::vector<int> order_;
  std::vector<Table> tables_;
  std::vector<int64_t> per_table_;
  FoldStats stats_;
  std::string position_;
};

}  // namespace peerlock
