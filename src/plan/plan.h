#pragma once
// The plan: the user's migration, as written in peerlock.yaml (or built from --source/--target).
// Parsing reports every problem with file:line:column, what was expected, and the closest valid
// key for a typo. Plain data once parsed; thread-safe to read.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "convert/transform_rules.h"
#include "core/catalog.h"
#include "plan/plan_roadmap.h"
#include "proxy/proxy_settings.h"

namespace peerlock {

struct EndpointSpec {
  std::string url;
  std::string password_env;   // name of an environment variable holding the password
  std::string password_file;  // path of a file holding the password (first line)
  SourceLocation where;
};

enum class IfExists { kFail, kReplace, kAppend };

struct CopySettings {
  int workers = 2;             // parallel chunk readers
  int64_t chunk_rows = 50000;  // target rows per chunk
  int batch_rows = 2048;       // rows per batch in flight
};

// `sync:`: how `peerlock sync` follows the source's changes.
struct SyncSettings {
  int batch_changes = 20000;               // most changes applied in one target transaction
  int64_t max_retained_bytes = 8LL << 30;  // source log kept for us: warn at 80%, stop at 100%
  std::string stop_at;                     // a source position or an ISO 8601 time; empty = never
};

struct Plan {
  std::string file;  // absolute path of the plan file; empty when built from URLs
  EndpointSpec source;
  EndpointSpec target;
  std::vector<std::string> include = {"*"};  // table globs
  std::vector<std::string> exclude;
  std::map<std::string, TableTransform> transforms;  // by source table name
  CopySettings copy;
  SyncSettings sync;
  ProxySettings proxy;  // `proxy:`: what `peerlock proxy` listens on and forwards to
  // The roadmap around the data path (plan_roadmap.h).
  Objectives objectives;
  RollbackPlan rollback;
  std::vector<OwnerSpec> owners;
  std::vector<SystemSpec> systems;  // besides "source" and "target"
  std::vector<WaveSpec> waves;      // in file order, the order they run in
  std::vector<HookSpec> hooks;
  std::vector<ScheduleWindow> schedule;

  // Whether `table` (a source table name) is in scope.
  bool Includes(const std::string& table) const;
  // The transform for `table`, or nullptr.
  const TableTransform* TransformFor(const std::string& table) const;
  // The system or wave named `name`, or nullptr.
  const SystemSpec* FindSystem(const std::string& name) const;
  const WaveSpec* FindWave(const std::string& name) const;
  const HookSpec* FindHook(const std::string& name) const;
};

// Reads and validates a plan file. Errors are ErrorCode::kPlan, with message
// "<file>:<line>:<column>: <what is wrong>" and a hint (e.g. "did you mean 'include'?").
Result<Plan> LoadPlanFile(const std::string& path);
// Parses plan text; `file` names it in errors.
Result<Plan> ParsePlan(const std::string& yaml_text, const std::string& file);
// A plan made from two URLs with default settings.
Plan PlanFromUrls(const std::string& source_url, const std::string& target_url);

// Checks the transforms against what the source holds: every named table and column exists
// (suggesting the closest name), no key column is dropped or masked, casts name real types.
Status ValidatePlanAgainstCatalog(const Plan& plan, const Catalog& source);

// The commented YAML that `peerlock init` writes for `plan`.
std::string RenderPlanTemplate(const Plan& plan);

}  // namespace peerlock
