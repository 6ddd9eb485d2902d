#pragma once
// A generator of a realistic legacy shop database in SQLite: the source of `peerlock demo`, the
// benchmarks and tests that need a database bigger and messier than a hand-written fixture.
//
// The schema (declared types as a legacy application would write them, foreign keys declared):
//   customers     id INTEGER PRIMARY KEY; Unicode names (accents, CJK, combining marks, 4-byte
//                 emoji, apostrophes); email UNIQUE with some NULLs; phone ~20% NULL; created_at
//                 text; balance DECIMAL(12,2); vip BOOLEAN 0/1; notes NULL vs '' vs 'NULL'.
//   products      id INTEGER PRIMARY KEY; sku UNIQUE; price NUMERIC(10,2) bound as text, so
//                 SQLite's affinity stores whole prices as INTEGER and others as REAL;
//                 weight_kg REAL needing 17 significant digits; image BLOB with NUL bytes,
//                 ~10% NULL and one zero-length blob.
//   orders        FK customers; ordered_on DATE; status with a CHECK; total = sum of its items.
//   order_items   composite PRIMARY KEY (order_id, line_no); FKs orders and products.
//   payments      FK orders; paid_at TIMESTAMP (some with microseconds); reference_number
//                 INTEGER including INT64_MIN, INT64_MAX and 2^53+1.
//   audit_events  no primary key, and a few exact duplicate rows.
// plus the view customer_totals, the indexes idx_orders_customer_id and idx_payments_order_id,
// and the trigger orders_cancelled_is_final (it only raises, never writes).
// The first rows of each table hold the edge values, so every scale has as many as fit.
//
// Thread-safety: CreateDemoShop may run concurrently for different paths. It blocks for the
// whole generation (about 2.5 s per million rows on one core) and holds the file's lock
// throughout; it needs ~100 MB of memory at scale 1.0 (64 MB of it SQLite's page cache).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"

namespace peerlock {

struct DemoShopOptions {
  double scale = 1.0;  // row counts relative to ~1.01M rows in all; each table has >= 1 row
  uint64_t seed = 42;  // same seed and scale, same rows
};

struct DemoShopSummary {
  // (table, rows) in creation order: customers, products, orders, order_items, payments,
  // audit_events.
  std::vector<std::pair<std::string, int64_t>> table_rows;
  int64_t total_rows = 0;
};

// Creates a new SQLite database at `path`, replacing any file there (and its -journal, -wal and
// -shm companions). At scale 1.0: customers 100k, products 10k, orders 250k, order_items 450k,
// payments 150k, audit_events 50k; each count is rounded after scaling and at least 1.
// Deterministic: the same seed and scale give the same rows in the same rowid order.
// Preconditions: 0 < options.scale <= 1000 (otherwise kInvalidArgument).
// Errors: kIo (with the path and SQLite's message) when the file cannot be removed, created or
// written, or `path` is a directory; kInternal if SQLite rejects the generated data (a bug).
// On error the partial file is removed.
Result<DemoShopSummary> CreateDemoShop(const std::string& path, const DemoShopOptions& options);

}  // namespace peerlock
