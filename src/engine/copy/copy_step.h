#pragma once
// The copy step: creates the target schema (tables first; indexes, unique constraints, views
// and triggers after the data), plans chunks of key ranges, and copies them in dependency order
// with parallel readers feeding the target's writer through a bounded queue. Every chunk lands
// in one target transaction together with its marker, so a copy killed at any instant resumes
// (`resume`) with every row present exactly once. Records runs, steps, chunks and digests in
// the state store and the audit log. Blocks until done; stops early on ctx.cancel.

#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

struct CopyOptions {
  int workers = 2;                       // parallel chunk readers
  bool resume = false;                   // continue the last interrupted copy
  std::vector<std::string> tables;       // source tables to copy; empty = all in scope
  IfExists if_exists = IfExists::kFail;  // what to do with a non-empty target table
  int64_t chunk_rows = 50000;            // rows per chunk
  int batch_rows = 2048;                 // rows per batch in flight
  std::string snapshot;  // a snapshot token to read (sync: the capture's); empty = export one
};

struct CopyTableSummary {
  std::string source_table, target_table;
  int64_t rows = 0;
  int chunks = 0;
  double seconds = 0;  // time spent loading this table's chunks
};

struct CopySummary {
  std::vector<CopyTableSummary> tables;
  int64_t rows = 0;
  int chunks = 0;
  int chunks_already_done = 0;  // on resume
  double seconds = 0;
  bool resumed = false;
  std::vector<std::string> warnings;
  std::vector<std::string> foreign_key_problems;
};

Result<CopySummary> RunCopy(const EngineContext& ctx, const CopyOptions& options);

}  // namespace peerlock
