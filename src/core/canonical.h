#pragma once
// Canonical encoding, row hashes and digests: the contract of ../shared/CANONICAL.md.
// A value is rendered by the logical type it is compared as (the source column's, after the
// plan's transform rules), so that the same logical value hashes the same whatever dialect
// stored it. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "core/logical_type.h"
#include "core/row_batch.h"

namespace peerlock {

// Appends the canonical text of `value` as `type` to `out`. Must not be called for NULL.
// Text cells are parsed in the forms engines print (PostgreSQL with DateStyle=ISO,
// IntervalStyle=postgres, extra_float_digits=1; MariaDB; ISO 8601 as applications write it into
// SQLite): booleans (t/f/true/false/1/0/yes/no/y/n/on/off, any case), integers of any width,
// decimals, floats (including "NaN", "Infinity", "-Infinity"), dates, times, timestamps (with or
// without zone; see core/canonical_time.h), intervals and uuids all reach one canonical form.
// A value whose storage does not fit `type` (text that does not parse as the type: SQLite allows
// it; bytes are never parsed) is rendered as its own storage class would be, so it still compares
// exactly and never equals a parsed value's form. Never throws; appends to `out` without other
// allocation (except for json).
void AppendCanonical(const LogicalType& type, const ValueView& value, std::string& out);
std::string Canonical(const LogicalType& type, const ValueView& value);

// Canonical text of a decimal written in any of the forms engines emit ("12.50", "1E+3").
// Returns the input unchanged if it is not a number.
std::string CanonicalDecimalText(std::string_view text);

// 128-bit row hash (XXH3-128 over tag, LEB128 length, canonical bytes per field).
using RowHash = unsigned __int128;

// Hashes row `row` of `batch` with the given per-column types. `scratch` is reused between
// calls to avoid allocation.
RowHash HashRow(const RowBatch& batch, size_t row, const std::vector<LogicalType>& types,
                std::string& scratch);

// Order-independent, additive digest of a set of rows.
struct Digest {
  int64_t rows = 0;
  RowHash sum = 0;  // modulo 2^128 by unsigned wrap-around

  void Add(RowHash h) {
    ++rows;
    sum += h;
  }
  void Merge(const Digest& other) {
    rows += other.rows;
    sum += other.sum;
  }
  bool operator==(const Digest&) const = default;

  // "<rows>:<32 hex digits>"; Parse accepts exactly what ToString wrote.
  std::string ToString() const;
  static bool Parse(const std::string& text, Digest& out);
};

}  // namespace peerlock
