#pragma once
// Chunk keys and key ranges. A chunk is a half-open range [lower, upper) over a table's chunk
// key (its primary key, or the engine's hidden row id for tables without one). Boundaries are
// tuples of owned values, serialisable so a resumed run reuses exactly the same chunks.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "core/row_batch.h"

namespace peerlock {

// A value that owns its bytes (a key boundary outlives the batch it came from).
struct OwnedValue {
  ValueKind kind = ValueKind::kNull;
  int64_t i = 0;
  double f = 0;
  std::string s;

  static OwnedValue From(const ValueView& v);
  ValueView View() const;
  bool operator==(const OwnedValue&) const = default;
};

using KeyTuple = std::vector<OwnedValue>;

// Which columns order and split a table.
struct KeySpec {
  std::vector<std::string> columns;  // empty when row_id is set
  bool row_id = false;               // use the engine's hidden row identifier

  bool empty() const { return columns.empty() && !row_id; }
};

struct KeyRange {
  std::optional<KeyTuple> lower;  // inclusive; nullopt = unbounded below
  std::optional<KeyTuple> upper;  // exclusive; nullopt = unbounded above

  bool unbounded() const { return !lower && !upper; }
};

// "lhs IN (k1, k2, ...)" for a key list (ReadSpec::keys), each key rendered by `literal`; fails
// on a key whose width is not `width` (the table's, named in the error).
Result<std::string> KeyInList(const std::string& lhs, const std::vector<KeyTuple>& keys,
                              size_t width,
                              const std::function<std::string(const KeyTuple&)>& literal,
                              const std::string& table);

// Compact JSON: [{"i":"5"},{"t":"abc"},{"b":"00ff"},{"f":"0.1"},null].
std::string EncodeKeyTuple(const KeyTuple& key);
Result<KeyTuple> DecodeKeyTuple(const std::string& text);
std::string EncodeKeyRange(const KeyRange& range);
Result<KeyRange> DecodeKeyRange(const std::string& text);

}  // namespace peerlock
