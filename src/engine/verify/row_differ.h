#pragma once
// Finds the rows behind a digest mismatch. Keyed tables: bisect the key range (comparing the
// digests of both halves) until a range is small, then fetch both sides and match rows by key.
// Keyless tables: a multiset comparison of row hashes. Used by the verify step; one instance
// per worker (it owns no sessions, it borrows them).

#include <vector>

#include "connector/connector.h"
#include "convert/table_mapping.h"
#include "engine/row_pipeline.h"
#include "engine/verify/verify_step.h"

namespace peerlock {

class RowDiffer {
 public:
  // `in_database`: halves are compared by digests computed inside both servers (same
  // dialect), falling back to streamed hashes where a server cannot compute one.
  RowDiffer(Session& source, Session& target, const TableMapping& mapping, size_t batch_rows,
            bool in_database = false)
      : source_(source),
        target_(target),
        m_(mapping),
        batch_rows_(batch_rows),
        in_database_(in_database && !mapping.changes_values) {}

  // Differences within `range` of a keyed table whose digests differ.
  Status DiffRange(const KeyRange& range, std::vector<Difference>& out);
  // Differences among the rows with these keys (whose digests differ).
  Status DiffKeys(const std::vector<KeyTuple>& keys, std::vector<Difference>& out);
  // Differences of a keyless table (whole table).
  Status DiffKeyless(std::vector<Difference>& out);
  // Compares `count` random source rows field by field with the target row of the same key.
  Status Sample(int64_t count, std::vector<Difference>& out, int64_t& sampled);

 private:
  struct Row {
    nlohmann::json key;
    KeyTuple key_tuple;               // raw key values, to look the row up on the other side
    std::vector<std::string> fields;  // canonical text, "\x00NULL" for NULL
  };
  Result<std::vector<std::pair<std::string, Row>>> FetchRows(
      Side side, const KeyRange& range, int64_t limit, bool random,
      const std::vector<KeyTuple>& keys = {});
  Result<bool> HalvesEqual(const KeyRange& range);
  void CompareRows(std::vector<std::pair<std::string, Row>> source,
                   std::vector<std::pair<std::string, Row>> target, std::vector<Difference>& out,
                   bool only_changed);

  Session& source_;
  Session& target_;
  const TableMapping& m_;
  size_t batch_rows_;
  bool in_database_;
};

}  // namespace peerlock
