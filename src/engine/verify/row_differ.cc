#include "engine/verify/row_differ.h"

#include <map>
#include <unordered_map>

#include "convert/row_transform.h"
#include "core/canonical.h"

namespace peerlock {
namespace {

constexpr int64_t kFetchRows = 256;  // a range this small is compared row by row
constexpr char kNull[] = "\x00NULL";

nlohmann::json KeyValue(const LogicalType& type, const ValueView& v) {
  if (v.is_null()) return nullptr;
  if (v.kind == ValueKind::kInt) return v.i;
  return Canonical(type, v);
}

std::string NullMarker() { return std::string(kNull, sizeof kNull - 1); }

}  // namespace

Result<std::vector<std::pair<std::string, RowDiffer::Row>>> RowDiffer::FetchRows(
    Side side, const KeyRange& range, int64_t limit, bool random,
    const std::vector<KeyTuple>& keys) {
  ReadSpec spec = MakeReadSpec(m_, side, range, batch_rows_);
  spec.keys = keys;
  spec.order_by_key = !random;
  spec.random_order = random;
  spec.limit = limit;
  std::vector<std::pair<std::string, Row>> rows;
  PL_ASSIGN(auto stream, (side == Side::kSource ? source_ : target_).Read(spec));
  RowBatch raw, out;
  while (true) {
    PL_ASSIGN(bool more, stream->Next(raw));
    if (!more) break;
    const RowBatch* batch = &raw;
    if (side == Side::kSource && m_.changes_values) {
      PL_TRY(TransformBatch(m_, raw, out));
      batch = &out;
    }
    for (size_t r = 0; r < batch->rows(); ++r) {
      Row row;
      row.key = nlohmann::json::object();
      std::string key_text;
      for (int pos : m_.key_positions) {
        ValueView v = raw.Get(r, pos);  // key columns are never transformed
        row.key[m_.columns[pos].source_name] = KeyValue(m_.columns[pos].compare_type, v);
        std::string k = v.is_null() ? NullMarker() : Canonical(m_.columns[pos].compare_type, v);
        key_text += std::to_string(k.size()) + ":" + k;
        row.key_tuple.push_back(OwnedValue::From(v));
      }
      for (int c = 0; c < batch->columns(); ++c) {
        ValueView v = batch->Get(r, c);
        row.fields.push_back(v.is_null() ? NullMarker() : Canonical(m_.compare_types[c], v));
      }
      rows.emplace_back(std::move(key_text), std::move(row));
    }
  }
  return rows;
}

void RowDiffer::CompareRows(std::vector<std::pair<std::string, Row>> source,
                            std::vector<std::pair<std::string, Row>> target,
                            std::vector<Difference>& out, bool only_changed) {
  std::map<std::string, Row*> by_key;
  for (auto& [key, row] : target) by_key[key] = &row;
  for (auto& [key, row] : source) {
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      out.push_back(Difference{"missing", row.key, {}, row.key_tuple});
      continue;
    }
    std::vector<std::string> changed;
    for (size_t c = 0; c < row.fields.size() && c < it->second->fields.size(); ++c)
      if (row.fields[c] != it->second->fields[c]) changed.push_back(m_.columns[c].source_name);
    if (!changed.empty()) out.push_back(Difference{"changed", row.key, changed, row.key_tuple});
    by_key.erase(it);
  }
  if (only_changed) return;
  for (auto& [key, row] : by_key) out.push_back(Difference{"extra", row->key, {}, row->key_tuple});
}

Status RowDiffer::DiffRange(const KeyRange& range, std::vector<Difference>& out) {
  ReadSpec src = MakeReadSpec(m_, Side::kSource, range, batch_rows_);
  ReadSpec tgt = MakeReadSpec(m_, Side::kTarget, range, batch_rows_);
  PL_ASSIGN(int64_t source_rows, source_.CountRows(src));
  PL_ASSIGN(int64_t target_rows, target_.CountRows(tgt));
  if (std::max(source_rows, target_rows) <= kFetchRows) {
    PL_ASSIGN(auto s, FetchRows(Side::kSource, range, -1, false));
    PL_ASSIGN(auto t, FetchRows(Side::kTarget, range, -1, false));
    CompareRows(std::move(s), std::move(t), out, false);
    return {};
  }
  // Cut at the median key of whichever side has more rows.
  bool by_source = source_rows >= target_rows;
  int64_t half = std::max<int64_t>(1, (by_source ? source_rows : target_rows) / 2);
  PL_ASSIGN(auto points, (by_source ? source_ : target_).SplitPoints(by_source ? src : tgt, half));
  if (points.empty())
    return Fail(ErrorCode::kInternal, "cannot bisect a range of " + m_.source_table);
  KeyTuple mid = points.front();
  for (const KeyRange& half_range : {KeyRange{range.lower, mid}, KeyRange{mid, range.upper}}) {
    PL_ASSIGN(bool equal, HalvesEqual(half_range));
    if (!equal) PL_TRY(DiffRange(half_range, out));
  }
  return {};
}

Status RowDiffer::DiffKeys(const std::vector<KeyTuple>& keys, std::vector<Difference>& out) {
  PL_ASSIGN(auto s, FetchRows(Side::kSource, {}, -1, false, keys));
  PL_ASSIGN(auto t, FetchRows(Side::kTarget, {}, -1, false, keys));
  CompareRows(std::move(s), std::move(t), out, false);
  return {};
}

Result<bool> RowDiffer::HalvesEqual(const KeyRange& range) {
  ReadSpec src = MakeReadSpec(m_, Side::kSource, range, batch_rows_);
  ReadSpec tgt = MakeReadSpec(m_, Side::kTarget, range, batch_rows_);
  if (in_database_) {
    PL_ASSIGN(auto s, source_.ServerDigest(src));
    PL_ASSIGN(auto t, target_.ServerDigest(tgt));
    if (s && t) return *s == *t;
  }
  PL_ASSIGN(Digest s, ReadAndHash(source_, src, m_, Side::kSource, nullptr));
  PL_ASSIGN(Digest t, ReadAndHash(target_, tgt, m_, Side::kTarget, nullptr));
  return s == t;
}

Status RowDiffer::DiffKeyless(std::vector<Difference>& out) {
  // Multiset of row hashes: source rows add, target rows remove; what is left differs.
  std::unordered_map<std::string, std::vector<nlohmann::json>> source_rows;
  auto scan = [&](Side side, auto&& on_row) -> Status {
    ReadSpec spec = MakeReadSpec(m_, side, {}, batch_rows_);
    spec.with_key = true;  // row id appended after the columns
    PL_ASSIGN(auto stream, (side == Side::kSource ? source_ : target_).Read(spec));
    RowBatch raw, out_batch;
    std::string scratch;
    while (true) {
      PL_ASSIGN(bool more, stream->Next(raw));
      if (!more) break;
      // Drop the row id column before transforming/hashing.
      RowBatch values(static_cast<int>(m_.columns.size()));
      for (size_t r = 0; r < raw.rows(); ++r)
        for (int c = 0; c < values.columns(); ++c) values.Add(raw.Get(r, c));
      const RowBatch* batch = &values;
      if (side == Side::kSource && m_.changes_values) {
        PL_TRY(TransformBatch(m_, values, out_batch));
        batch = &out_batch;
      }
      for (size_t r = 0; r < batch->rows(); ++r) {
        RowHash h = HashRow(*batch, r, m_.compare_types, scratch);
        // Row ids are integers (SQLite rowid) or text (PostgreSQL ctid "(page,item)").
        ValueView id = raw.Get(r, raw.columns() - 1);
        on_row(
            std::string(reinterpret_cast<const char*>(&h), sizeof h),
            id.kind == ValueKind::kInt ? nlohmann::json(id.i) : nlohmann::json(std::string(id.s)));
      }
    }
    return {};
  };
  PL_TRY(scan(Side::kSource, [&](const std::string& h, const nlohmann::json& rowid) {
    source_rows[h].push_back(rowid);
  }));
  PL_TRY(scan(Side::kTarget, [&](const std::string& h, const nlohmann::json& rowid) {
    auto it = source_rows.find(h);
    if (it == source_rows.end() || it->second.empty()) {
      out.push_back(Difference{"extra", {{"rowid", rowid}}, {}});
      return;
    }
    it->second.pop_back();
  }));
  std::vector<nlohmann::json> missing;
  for (auto& [_, ids] : source_rows) missing.insert(missing.end(), ids.begin(), ids.end());
  std::sort(missing.begin(), missing.end());
  for (const auto& id : missing) out.push_back(Difference{"missing", {{"rowid", id}}, {}});
  return {};
}

Status RowDiffer::Sample(int64_t count, std::vector<Difference>& out, int64_t& sampled) {
  PL_ASSIGN(auto rows, FetchRows(Side::kSource, {}, count, /*random=*/true));
  for (auto& [key, row] : rows) {
    PL_ASSIGN(auto found,
              FetchRows(Side::kTarget, KeyRange{row.key_tuple, std::nullopt}, 1, false));
    std::vector<std::pair<std::string, Row>> one;
    one.emplace_back(key, std::move(row));
    if (!found.empty() && found.front().first != key) found.clear();
    CompareRows(std::move(one), std::move(found), out, /*only_changed=*/false);
    ++sampled;
  }
  return {};
}

}  // namespace peerlock
