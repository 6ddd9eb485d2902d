#pragma once
// `peerlock check` (environment preparation): connects to both databases and judges what it
// finds. Each finding is a blocker (the migration must not start) or a warning, and names the
// fix. Checks: connectivity and TLS, versions, the target's CREATE privilege, free disk on a
// file target against the estimated size, replication settings a warm strategy (peerlock sync)
// needs (PostgreSQL wal_level, free replication slots and WAL senders, the REPLICATION role
// attribute; MariaDB log_bin, binlog_format, binlog_row_image), type compatibility of every
// column, and risks (tables without keys, lossy conversions, row-level security, huge tables,
// non-transactional engines). Server facts come from Session::ServerFacts, so the SQL stays in
// the connectors. Blocks on both databases; not thread-safe (uses one context).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/engine_context.h"

namespace peerlock {

struct CheckFinding {
  bool blocker = false;
  std::string area;     // connectivity, tls, version, privileges, disk, replication, types, risk
  std::string subject;  // "source", "target", a table or "table.column"
  std::string what;     // what was found
  std::string fix;      // what to do; empty for a passed check
  bool passed = false;  // an "ok" line, shown so the reader sees what was checked
};

struct CheckReport {
  std::vector<CheckFinding> findings;
  int blockers() const;
  int warnings() const;
};

// Never fails: what cannot be reached or read becomes a blocker.
CheckReport RunPreflight(const EngineContext& ctx);

nlohmann::json CheckReportToJson(const CheckReport& report);
std::string CheckReportToText(const CheckReport& report);

}  // namespace peerlock
