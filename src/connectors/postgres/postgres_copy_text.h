#pragma once
// PostgreSQL's COPY text format, both ways: one row per line, fields separated by tabs, \N for
// NULL, backslash escapes. Decoding turns each field into the RowBatch cell kind the column's
// type calls for (integers, floats, booleans as 0/1, bytea as raw bytes, the rest as text), so
// canonical hashing sees the same value whichever dialect produced it. Pure; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/row_batch.h"

namespace peerlock {

// How a column's values travel through a RowBatch.
enum class PgCell { kInt, kFloat, kBool, kBytes, kText };

// The cell kind for a type name as format_type() prints it ("bigint", "bytea", ...).
PgCell PgCellFor(const std::string& type_name);

// Appends one row decoded from `line` (without its newline) to `batch`. Fails when the
// field count differs from `cells.size()` or a field does not parse as its kind.
Status DecodeCopyRow(std::string_view line, const std::vector<PgCell>& cells, RowBatch& batch,
                     std::string& scratch);

// Appends one value in PostgreSQL's text output form (not COPY-escaped: as pgoutput and
// PQgetvalue deliver it) as the cell kind `cell`; `column` (0-based) names it in errors.
Status DecodeTextValue(std::string_view text, PgCell cell, RowBatch& batch, std::string& scratch,
                       size_t column = 0);

// A NUL byte bound for a text column (kDataLoss): PostgreSQL's text cannot hold it.
Error NulInTextColumnError();

// Appends row `row` of `batch` as one COPY text line (with its newline) for columns whose
// target kinds are `cells`. Fails (kDataLoss) on a value the column cannot hold: a NUL byte in
// text; `*bad_column` is then set to the offending column index.
Status EncodeCopyRow(const RowBatch& batch, size_t row, const std::vector<PgCell>& cells,
                     std::string& out, int* bad_column);

}  // namespace peerlock
