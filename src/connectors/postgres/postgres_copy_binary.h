#pragma once
// PostgreSQL's binary COPY format for rows PeerLock decoded itself (SQLite or MariaDB into
// PostgreSQL, or columns whose types differ). The server reads binary values without parsing
// text: a timestamp, a numeric or a bytea costs it a fraction of what its text form does.
//
// The encoder is deliberately strict: it writes a value only when its form leaves no doubt that
// PostgreSQL would read the text the same way (a timestamp "YYYY-MM-DD HH:MM:SS[.ffffff]", a
// plain decimal numeric, ...). Anything else (an exponent, a date-only timestamp, a NUL byte in
// text) makes it decline the row, and the caller loads that row and the rest of the chunk as
// COPY text, where the server decides and reports as before. Pure; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "core/row_batch.h"

namespace peerlock {

// How a target column's values are written in binary.
enum class PgBinaryType {
  kInt2,
  kInt4,
  kInt8,
  kFloat8,
  kBool,
  kBytea,
  kText,  // text, varchar(n), char(n), json: the bytes themselves
  kJsonb,
  kNumeric,
  kDate,
  kTimestamp,
  kTimestamptz,
  kUuid,
};

// The binary kind of a column type as format_type() prints it ("bigint", "numeric(12,2)",
// "timestamp(3) with time zone", ...); nullopt for every other type (arrays, domains, enums,
// intervals, ...), whose table is then loaded as COPY text.
std::optional<PgBinaryType> PgBinaryTypeFor(const std::string& type_name);

// The 19-byte header every binary COPY stream starts with, and the 2-byte trailer ending it.
void AppendBinaryCopyHeader(std::string& out);
void AppendBinaryCopyTrailer(std::string& out);

// Appends row `row` of `batch` as one binary COPY tuple for columns of `types`. Returns false,
// with `out` as it was, when some value is not in a form this encoder writes (see above).
bool EncodeBinaryCopyRow(const RowBatch& batch, size_t row, const std::vector<PgBinaryType>& types,
                         std::string& out);

}  // namespace peerlock
