#pragma once
// The roadmap sections of a plan (ROADMAP.md phases 1-10 beyond the data path): objectives,
// rollback criteria, owners, the other systems that move (services, storage, integrations),
// waves, hooks and the schedule. Plain data once parsed; thread-safe to read. Durations are
// seconds (written as base/duration.h reads them); a value the plan leaves out is nullopt or empty,
// never a guessed default.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "convert/transform_rules.h"  // SourceLocation

namespace peerlock {

// One read query timed by `peerlock bench`, with the latency the plan accepts.
struct QueryTarget {
  std::string name;
  std::string sql;
  std::optional<double> p50_seconds;
  std::optional<double> p95_seconds;
  SourceLocation where;
};

// `objectives:`: what "done well" means, measurably.
struct Objectives {
  std::optional<double> max_downtime_seconds;  // source frozen until traffic runs on the target
  std::optional<double> max_lag_seconds;       // replication lag tolerated before cutover
  std::vector<QueryTarget> queries;            // performance targets
  // How long a database password may stay unchanged (ROADMAP phase 8: credential rotation
  // reminders in `peerlock status`).
  std::optional<double> credential_max_age_seconds;
};

// `rollback:`: when the migration goes back to the source, and for how long it can.
struct RollbackPlan {
  std::vector<std::string> when;         // criteria, in words or metric expressions
  std::optional<double> within_seconds;  // how long after cutover a rollback stays possible
  SourceLocation where;
};

enum class SystemKind { kDatabase, kService, kStorage, kIntegration };
const char* SystemKindName(SystemKind kind);

// `systems:`: one thing besides the two databases that moves or must keep working.
// The plan's databases are systems too, named "source" and "target" (kDatabase).
struct SystemSpec {
  std::string name;
  SystemKind kind = SystemKind::kService;
  std::string check;  // service, integration: http://, https:// or tcp://host:port
  std::string path;   // storage: a directory or file
  std::vector<std::string> depends_on;
  std::string owner;  // from `owners:` when it names the system
  SourceLocation where;
  std::vector<SourceLocation> depends_on_where;  // of each name, for errors
};

// `waves:`: tables, systems or tenants migrated and cut over together, in file order.
struct WaveSpec {
  std::string name;
  std::vector<std::string> tables;   // source table names
  std::vector<std::string> systems;  // system names
  std::string where;                 // row filter in the source's SQL, e.g. tenant_id IN (1,2)
  bool approve = false;              // stop before this wave's cutover until approved
  std::string owner;
  SourceLocation where_in_file;
  std::vector<SourceLocation> systems_where;  // of each name, for errors
};

// Who answers for a system or a wave (`owners:`); "db" names both databases.
struct OwnerSpec {
  std::string component;
  std::string team;
  SourceLocation where;
};

// One hook: a command run at a named point, killed after its timeout.
struct HookSpec {
  std::string name;     // switch_traffic, smoke_test, ...
  std::string command;  // run by /bin/sh -c, in the plan's directory
  double timeout_seconds = 60;
  SourceLocation where;
};

// `schedule:`: planned windows for the waves and the cutover.
struct ScheduleWindow {
  std::string name;
  std::string start, end;  // ISO 8601 with a zone, as written; end empty when a duration was
  int64_t start_epoch = 0, end_epoch = 0;  // seconds since 1970 UTC
  std::vector<std::string> waves;
  SourceLocation where;
};

// A health probe address: http://host[:port]/path, https://..., tcp://host:port.
struct ProbeUrl {
  std::string scheme;  // http, https, tcp
  std::string host;
  int port = 0;      // the scheme's default when the URL gives none (80, 443)
  std::string path;  // "/health"; "/" when empty; unused for tcp
};
// nullopt when `text` is none of the three forms (tcp needs a port).
std::optional<ProbeUrl> ParseProbeUrl(std::string_view text);

// The names hooks may have, in the order they run.
const std::vector<std::string>& HookNames();

// Seconds as a plan would write them (base/duration.h's forms): 30 -> "30s", 0.02 -> "20ms".
std::string FormatSeconds(double seconds);
// "2026-12-01T02:00:00Z" or with "+01:00": seconds since the epoch; nullopt otherwise.
std::optional<int64_t> ParseIsoTime(std::string_view text);

}  // namespace peerlock
