#pragma once
// Applies a table's casts and masks to rows in flight. The same function runs on the copy
// path and on the source side of verify, which is what makes verify compare against what the
// rules say the target should hold. Never changes a value silently: a value the cast cannot
// carry exactly fails with ErrorCode::kDataLoss naming table, column and row key.
// Thread-safe (pure).

#include "base/error.h"
#include "convert/table_mapping.h"
#include "core/row_batch.h"

namespace peerlock {

// Transforms `in` (columns as TableMapping::source_columns) into `out` (target columns).
// When the mapping changes no values, `out` is a plain copy.
Status TransformBatch(const TableMapping& mapping, const RowBatch& in, RowBatch& out);

// Hex SHA-256 of the canonical text of `value` as `type`: the `hash` mask.
std::string MaskHash(const LogicalType& type, const ValueView& value);

}  // namespace peerlock
