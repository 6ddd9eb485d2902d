#pragma once
// The read half shared by copy and verify: read a key range, apply the table's rules on the
// source side, hash every row by its compare types, and hand the batches on. Using one function
// for both is what makes verify check exactly what copy wrote.

#include <functional>
#include <vector>

#include "connector/connector.h"
#include "convert/table_mapping.h"
#include "core/canonical.h"

namespace peerlock {

enum class Side { kSource, kTarget };

// Ranges covering the whole key space, cut at `points` (ascending).
std::vector<KeyRange> RangesFromPoints(const std::vector<KeyTuple>& points);

// The read of `range` on `side` of `mapping`: source names, key and filter, or target ones.
ReadSpec MakeReadSpec(const TableMapping& mapping, Side side, const KeyRange& range,
                      size_t batch_rows);

using BatchSink = std::function<Status(RowBatch&&)>;

// Reads `spec`, transforms (source side), hashes each row into the returned digest, and gives
// each batch to `sink` when set.
Result<Digest> ReadAndHash(Session& session, const ReadSpec& spec, const TableMapping& mapping,
                           Side side, const BatchSink& sink);

// A RowSource over batches already in memory.
class BatchListSource final : public RowSource {
 public:
  explicit BatchListSource(std::vector<RowBatch> batches) : batches_(std::move(batches)) {}
  Result<bool> Next(RowBatch& batch) override {
    if (next_ >= batches_.size()) return false;
    batch = std::move(batches_[next_++]);
    return true;
  }

 private:
  std::vector<RowBatch> batches_;
  size_t next_ = 0;
};

}  // namespace peerlock
