#pragma once
// RowBatch cells as PostgreSQL string literals, for changes applied in one statement instead of
// through a COPY-filled staging table (small batches: one round trip instead of several). Each
// value is an escape string E'...' of unknown type, so the target column's own input function
// reads it, exactly as COPY would; NULL stays NULL. Pure; thread-safe.

#include <string>
#include <vector>

#include "base/error.h"
#include "connectors/postgres/postgres_copy_text.h"
#include "core/row_batch.h"

namespace peerlock {

// Appends `v` as a literal for a column of kind `cell` (bytea as E'\\x..' hex). Fails (kDataLoss)
// on a NUL byte bound for a text column, as COPY does.
Status AppendPgLiteral(const ValueView& v, PgCell cell, std::string& out);

// Appends row `row` of `batch` as "(lit, lit, ...)" for columns of kinds `cells`;
// `*bad_column` names the offending column on failure.
Status AppendPgLiteralRow(const RowBatch& batch, size_t row, const std::vector<PgCell>& cells,
                          std::string& out, int* bad_column);

}  // namespace peerlock
