#pragma once
// Rows in flight. A RowBatch holds a few thousand rows of a fixed column count, row-major, with
// all text and bytes in one arena, so reading and loading allocate per batch, not per value.
// Cells hold the value the way the engine handed it over (SQLite's storage classes map onto
// these kinds one to one; other dialects deliver text in their canonical-compatible form).
// Not thread-safe; a batch moves between pipeline stages by value.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerlock {

enum class ValueKind : uint8_t { kNull, kInt, kFloat, kText, kBytes };

// A read-only view of one cell; text/bytes point into the batch's arena (valid until the
// batch is modified or destroyed).
struct ValueView {
  ValueKind kind = ValueKind::kNull;
  int64_t i = 0;
  double f = 0;
  std::string_view s;

  bool is_null() const { return kind == ValueKind::kNull; }
};

class RowBatch {
 public:
  explicit RowBatch(int columns = 0) : columns_(columns) {}

  int columns() const { return columns_; }
  size_t rows() const { return columns_ ? cells_.size() / columns_ : 0; }
  bool empty() const { return cells_.empty(); }
  size_t arena_bytes() const { return arena_.size(); }

  // Appending: call one Add* per column, in column order, for each row.
  void AddNull() { cells_.push_back(Cell{ValueKind::kNull, {.i = 0}}); }
  void AddInt(int64_t v) { cells_.push_back(Cell{ValueKind::kInt, {.i = v}}); }
  void AddFloat(double v) { cells_.push_back(Cell{ValueKind::kFloat, {.f = v}}); }
  void AddText(std::string_view v) { AddString(ValueKind::kText, v); }
  void AddBytes(std::string_view v) { AddString(ValueKind::kBytes, v); }
  void Add(const ValueView& v);

  ValueView Get(size_t row, int column) const;

  void Clear() {
    cells_.clear();
    arena_.clear();
  }
  void Reserve(size_t rows) { cells_.reserve(rows * columns_); }

 private:
  struct Span {
    uint32_t offset;
    uint32_t length;
  };
  struct Cell {
    ValueKind kind;
    union {
      int64_t i;
      double f;
      Span s;
    };
  };
  void AddString(ValueKind kind, std::string_view v);

  int columns_;
  std::vector<Cell> cells_;
  std::string arena_;
};

}  // namespace peerlock
