#include "core/row_batch.h"

#include <cstdlib>

namespace peerlock {

void RowBatch::AddString(ValueKind kind, std::string_view v) {
  Cell cell{kind, {.i = 0}};
  // 4 GiB per batch is far past any batch size we form; guard rather than wrap silently.
  if (arena_.size() + v.size() > UINT32_MAX) std::abort();
  cell.s = Span{static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(v.size())};
  arena_.append(v);
  cells_.push_back(cell);
}

void RowBatch::Add(const ValueView& v) {
  switch (v.kind) {
    case ValueKind::kNull: AddNull(); break;
    case ValueKind::kInt: AddInt(v.i); break;
    case ValueKind::kFloat: AddFloat(v.f); break;
    case ValueKind::kText: AddText(v.s); break;
    case ValueKind::kBytes: AddBytes(v.s); break;
  }
}

ValueView RowBatch::Get(size_t row, int column) const {
  const Cell& cell = cells_[row * columns_ + column];
  ValueView v;
  v.kind = cell.kind;
  switch (cell.kind) {
    case ValueKind::kInt: v.i = cell.i; break;
    case ValueKind::kFloat: v.f = cell.f; break;
    case ValueKind::kText:
    case ValueKind::kBytes:
      v.s = std::string_view(arena_).substr(cell.s.offset, cell.s.length);
      break;
    case ValueKind::kNull: break;
  }
  return v;
}

}  // namespace peerlock
