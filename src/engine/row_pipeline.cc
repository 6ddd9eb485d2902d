#include "engine/row_pipeline.h"

#include "convert/row_transform.h"

namespace peerlock {

std::vector<KeyRange> RangesFromPoints(const std::vector<KeyTuple>& points) {
  std::vector<KeyRange> ranges;
  std::optional<KeyTuple> lower;
  for (const auto& p : points) {
    ranges.push_back(KeyRange{lower, p});
    lower = p;
  }
  ranges.push_back(KeyRange{lower, std::nullopt});
  return ranges;
}

ReadSpec MakeReadSpec(const TableMapping& m, Side side, const KeyRange& range, size_t batch_rows) {
  bool source = side == Side::kSource;
  return ReadSpec{.table = source ? m.source_table : m.target_table,
                  .columns = source ? m.source_columns : m.target_columns,
                  .key = source ? m.source_key : m.target_key,
                  .range = range,
                  .where = source ? m.filter : "",
                  .batch_rows = batch_rows};
}

Result<Digest> ReadAndHash(Session& session, const ReadSpec& spec, const TableMapping& mapping,
                           Side side, const BatchSink& sink) {
  PL_ASSIGN(auto rows, session.Read(spec));
  Digest digest;
  std::string scratch;
  RowBatch raw;
  while (true) {
    PL_ASSIGN(bool more, rows->Next(raw));
    if (!more) break;
    RowBatch out;
    if (side == Side::kSource && mapping.changes_values) {
      PL_TRY(TransformBatch(mapping, raw, out));
    } else {
      out = std::move(raw);
      raw = RowBatch();
    }
    for (size_t r = 0; r < out.rows(); ++r)
      digest.Add(HashRow(out, r, mapping.compare_types, scratch));
    if (sink) PL_TRY(sink(std::move(out)));
  }
  return digest;
}

}  // namespace peerlock
