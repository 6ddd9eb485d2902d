#include "engine/sync/change_folder.h"

#include <algorithm>

#include "convert/row_transform.h"

namespace peerlock {
namespace {

// Appends row `row` of `from` to `to` (same layout). Values are copied out first: `from` and
// `to` may be the same batch, whose arena can move while appending.
void CopyRow(const RowBatch& from, size_t row, RowBatch& to) {
  std::string text;
  for (int c = 0; c < from.columns(); ++c) {
    ValueView v = from.Get(row, c);
    if (v.kind == ValueKind::kText || v.kind == ValueKind::kBytes) {
      text.assign(v.s);
      v.s = text;
    }
    to.Add(v);
  }
}

std::vector<int> Iota(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

ChangeFolder::ChangeFolder(std::vector<const TableMapping*> tables, std::vector<int> order)
    : mappings_(std::move(tables)), order_(std::move(order)) {
  tables_.resize(mappings_.size());
  per_table_.assign(mappings_.size(), 0);
  for (size_t i = 0; i < mappings_.size(); ++i) {
    tables_[i].rows = RowBatch(static_cast<int>(mappings_[i]->source_columns.size()));
    tables_[i].key_cells = RowBatch(static_cast<int>(mappings_[i]->key_positions.size()));
  }
}

std::string ChangeFolder::KeyBytes(const RowBatch& batch, size_t row,
                                   const std::vector<int>& cols) {
  std::string key;
  for (int c : cols) {
    ValueView v = batch.Get(row, c);
    key += static_cast<char>(v.kind);
    switch (v.kind) {
      case ValueKind::kNull: break;
      case ValueKind::kInt: key.append(reinterpret_cast<const char*>(&v.i), sizeof v.i); break;
      case ValueKind::kFloat: key.append(reinterpret_cast<const char*>(&v.f), sizeof v.f); break;
      case ValueKind::kText:
      case ValueKind::kBytes: {
        uint32_t n = static_cast<uint32_t>(v.s.size());
        key.append(reinterpret_cast<const char*>(&n), sizeof n);
        key.append(v.s);
        break;
      }
    }
  }
  return key;
}

void ChangeFolder::Touch(Table& t, const std::string& key, const RowBatch& from, size_t row,
                         const std::vector<int>& positions) {
  if (t.keys.count(key)) return;
  t.order.push_back(key);
  std::string text;
  for (int c : positions) {
    ValueView v = from.Get(row, c);
    if (v.kind == ValueKind::kText || v.kind == ValueKind::kBytes) {
      text.assign(v.s);
      v.s = text;
    }
    t.key_cells.Add(v);
  }
  t.keys[key] = Entry{};
}

Status ChangeFolder::Add(const ChangeTxn& txn) {
  for (const RowChange& change : txn.changes) {
    if (change.table < 0 || static_cast<size_t>(change.table) >= tables_.size())
      return Fail(ErrorCode::kInternal, "captured change for an unknown table");
    Table& t = tables_[change.table];
    const TableMapping& m = *mappings_[change.table];
    const int key_count = static_cast<int>(m.key_positions.size());
    ++per_table_[change.table];
    ++stats_.changes;
    if (change.kind == ChangeKind::kTruncate) {
      t.truncate = true;
      t.keys.clear();
      t.order.clear();
      t.rows.Clear();
      t.key_cells.Clear();
      continue;
    }
    const RowBatch& old_keys = txn.old_keys[change.table];
    if (change.kind == ChangeKind::kDelete) {
      if (change.old_key < 0) return Fail(ErrorCode::kInternal, "captured delete without a key");
      std::string key = KeyBytes(old_keys, change.old_key, Iota(key_count));
      Touch(t, key, old_keys, change.old_key, Iota(key_count));
      t.keys[key] = Entry{.state = State::kDeleted};
      continue;
    }
    const RowBatch& rows = txn.rows[change.table];
    if (change.new_row < 0 || rows.columns() != t.rows.columns())
      return Fail(ErrorCode::kInternal, "captured row does not match table " + m.source_table);
    std::string key = KeyBytes(rows, change.new_row, m.key_positions);
    if (change.old_key >= 0) {
      std::string old = KeyBytes(old_keys, change.old_key, Iota(key_count));
      if (old != key) {  // the key changed: the row left its old key
        Touch(t, old, old_keys, change.old_key, Iota(key_count));
        t.keys[old] = Entry{.state = State::kDeleted};
      }
    }
    Touch(t, key, rows, change.new_row, m.key_positions);
    Entry& entry = t.keys[key];
    const std::vector<int>* missing = change.missing >= 0 ? &txn.missing[change.missing] : nullptr;
    const int row = static_cast<int>(t.rows.rows());
    if (!missing) {
      CopyRow(rows, change.new_row, t.rows);
      entry = Entry{.state = State::kRow, .row = row};
      continue;
    }
    // Some columns were not sent (unchanged TOAST): take them from what this batch already
    // knows of the row, else leave them to the target's current row.
    const bool known = entry.row >= 0 && entry.state != State::kDeleted;
    std::vector<int> still_missing;
    std::string text;
    for (int c = 0; c < t.rows.columns(); ++c) {
      bool absent = std::find(missing->begin(), missing->end(), c) != missing->end();
      ValueView v = rows.Get(change.new_row, c);
      if (absent && known) {
        bool prior_absent =
            entry.state == State::kPatch &&
            std::find(entry.missing.begin(), entry.missing.end(), c) != entry.missing.end();
        if (prior_absent) still_missing.push_back(c);
        v = t.rows.Get(entry.row, c);
      } else if (absent) {
        still_missing.push_back(c);
      }
      if (v.kind == ValueKind::kText || v.kind == ValueKind::kBytes) {
        text.assign(v.s);
        v.s = text;
      }
      t.rows.Add(v);
    }
    entry = still_missing.empty()
                ? Entry{.state = State::kRow, .row = row}
                : Entry{.state = State::kPatch, .row = row, .missing = std::move(still_missing)};
  }
  stats_.bytes += txn.bytes;
  if (txn.commit_time_us) stats_.last_commit_time_us = txn.commit_time_us;
  if (txn.more) return {};  // a part: the transaction and its position come with its last part
  ++stats_.txns;
  position_ = txn.position;
  return {};
}

Result<ChangeSet> ChangeFolder::Take(const std::string& stream) {
  ChangeSet set{.stream = stream, .position = position_};
  for (int index : order_) {
    Table& t = tables_[index];
    if (!t.truncate && t.order.empty()) continue;
    const TableMapping& m = *mappings_[index];
    TableChanges tc;
    tc.table = m.target_table;
    tc.columns = m.target_columns;
    tc.key = m.target_key.columns;
    tc.truncate = t.truncate;
    tc.deletes = RowBatch(static_cast<int>(m.key_positions.size()));
    RowBatch upserts(t.rows.columns());
    for (size_t i = 0; i < t.order.size(); ++i) {
      const Entry& e = t.keys[t.order[i]];
      switch (e.state) {
        case State::kDeleted: CopyRow(t.key_cells, i, tc.deletes); break;
        case State::kRow: CopyRow(t.rows, e.row, upserts); break;
        case State::kPatch: {
          RowBatch one(t.rows.columns());
          CopyRow(t.rows, e.row, one);
          TableChanges::Patch patch;
          PL_TRY(TransformBatch(m, one, patch.row));
          for (int c = 0; c < one.columns(); ++c)
            if (std::find(e.missing.begin(), e.missing.end(), c) == e.missing.end())
              patch.columns.push_back(c);
          tc.patches.push_back(std::move(patch));
          break;
        }
      }
    }
    PL_TRY(TransformBatch(m, upserts, tc.upserts));
    set.tables.push_back(std::move(tc));
    const int columns = t.rows.columns(), key_columns = t.key_cells.columns();
    t = Table();
    t.rows = RowBatch(columns);
    t.key_cells = RowBatch(key_columns);
  }
  std::fill(per_table_.begin(), per_table_.end(), 0);
  stats_ = FoldStats{};
  return set;
}

}  // namespace peerlock
