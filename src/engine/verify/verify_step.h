#pragma once
// The verify step: proves the target holds what the plan's rules say it should. Per table it
// compares row counts and per-chunk digests of the canonical encoding (source side transformed
// exactly as copy transforms it), bisects mismatching chunks down to small key ranges, and names
// every missing, extra or changed row by key with the columns that differ. Tables without a key
// are compared as multisets of rows (differences named by row id). `sample` additionally
// compares that many random rows field by field. Workers compare chunks in parallel.
// A focused verify (the cutover's final one, under the freeze) compares row counts of every
// table but, of the tables in `focus`, only the rows with the listed keys: those touched or found
// different since a full verify proved the rest equal.

#include <functional>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

struct VerifyOptions {
  int workers = 2;                  // parallel chunk comparisons
  int64_t sample = 0;               // random rows per table compared field by field
  std::vector<std::string> tables;  // source tables; empty = all in scope
  int64_t chunk_rows = 50000;       // rows per compared chunk
  size_t max_differences = 1000;    // listed per table (all are counted)
  std::string run_kind = "verify";  // the run recorded (a cutover's live baseline differs)
  // Each worker reads both sides in one snapshot. A cutover's baseline does not: it holds no
  // long transaction on a live source (SQLite writers would wait), and rows that change while it
  // reads are compared again under the freeze anyway.
  bool snapshot = true;
  bool counts = true;  // focused tables: compare their row counts too
  // Source table -> the only keys compared row by row (counts are compared in full); tables
  // not in the map are compared chunk by chunk.
  std::optional<std::map<std::string, std::vector<KeyTuple>>> focus;
  // Already read from the frozen source (ReadFrozenSource, while the target drains): its
  // schema.
  const Inventory* inventory = nullptr;  // else the source is introspected
  // Per focused source table, its row count as read elsewhere (a cutover's frozen source, still
  // being counted when the verify starts): asked once the target's count is in, so both count
  // at once; nullopt when it could not be read (the source is then counted here), an error to
  // stop (the freeze deadline passed while waiting). Unset: both sides are counted here.
  std::function<Result<std::optional<int64_t>>(const std::string& table)> source_count;
};

// What a cutover needs of a frozen source, read before the target has drained: the inventory,
// the row counts of `counted` (source tables, row filters applied; `workers` at a time, with
// `known`'s mappings when given: an inventory read before the freeze names the same tables and
// filters, and counting need not wait for the schema to be read again), and the sequences
// (every pair: across dialects they continue in the target's identity / AUTO_INCREMENT).
// The counts go on on threads of their own after the rest is returned, each table's ready as
// soon as it is counted: a verify counts the target meanwhile (VerifyOptions::source_count).
struct FrozenSource {
  Inventory inventory;
  std::map<std::string, std::shared_future<Result<int64_t>>> counts;
  std::optional<std::vector<SequenceValue>> sequences;
  std::shared_future<void> counting;  // the counting threads: the last copy waits for them
};

struct Difference {
  std::string kind;  // missing, extra, changed
  nlohmann::json key;
  std::vector<std::string> columns;  // changed columns (source names)
  KeyTuple key_tuple;                // the key's values (none for keyless tables)
};

struct TableVerdict {
  std::string table, target_table;
  int64_t source_rows = 0, target_rows = 0;
  bool equal = true;
  std::string problem;  // e.g. "target table is missing"
  int64_t difference_count = 0;
  std::vector<Difference> differences;
  int64_t sampled = 0;
  bool focused = false;      // counts plus the focus keys only
  int64_t rechecked = 0;     // focused: rows compared again
  double count_seconds = 0;  // focused: how long counting took (the target alone when the
                             // source's count was given)
};

struct VerifyResult {
  bool equal = true;
  std::vector<TableVerdict> tables;
  int64_t rows_compared = 0;
  double seconds = 0;
};

Result<VerifyResult> RunVerify(const EngineContext& ctx, const VerifyOptions& options);

Result<FrozenSource> ReadFrozenSource(const EngineContext& ctx,
                                      const std::vector<std::string>& counted, int workers,
                                      const Inventory* known = nullptr);

nlohmann::json VerifyResultToJson(const VerifyResult& result);
std::string VerifyResultToText(const VerifyResult& result);

}  // namespace peerlock
