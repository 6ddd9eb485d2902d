#pragma once
// The verify step: proves the target holds what the plan's rules say it should. Per table it
// compares row counts and per-chunk digests of the canonical encoding (source side transformed
// exactly as copy transforms it), bisects mismatching chunks down to small key ranges, and names
// every missing, extra or changed row by key with the columns that differ. Tables without a key
// are compared as multisets of rows (differences named by row id). `sample` additionally
// compares that many random rows field by field. Workers compare chunks in parallel.

#include <nlohmann/json.hpp>
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
};

struct Difference {
  std::string kind;  // missing, extra, changed
  nlohmann::json key;
  std::vector<std::string> columns;  // changed columns (source names)
};

struct TableVerdict {
  std::string table, target_table;
  int64_t source_rows = 0, target_rows = 0;
  bool equal = true;
  std::string problem;  // e.g. "target table is missing"
  int64_t difference_count = 0;
  std::vector<Difference> differences;
  int64_t sampled = 0;
};

struct VerifyResult {
  bool equal = true;
  std::vector<TableVerdict> tables;
  int64_t rows_compared = 0;
  double seconds = 0;
};

Result<VerifyResult> RunVerify(const EngineContext& ctx, const VerifyOptions& options);

nlohmann::json VerifyResultToJson(const VerifyResult& result);
std::string VerifyResultToText(const VerifyResult& result);

}  // namespace peerlock
