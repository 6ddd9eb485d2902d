#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "base/strings.h"
#include "connector/endpoint.h"
#include "plan/plan.h"
#include "plan/plan_proxy_parser.h"
#include "plan/plan_roadmap_parser.h"
#include "plan/plan_transform_parser.h"
#include "plan/plan_yaml.h"

namespace peerlock {
namespace {

using plan_internal::Entry;
using plan_internal::Field;
using plan_internal::PlanYaml;

const std::vector<std::string> kPlanKeys = {
    "version",  "source", "target",  "tables", "transform", "copy",     "sync", "objectives",
    "rollback", "owners", "systems", "waves",  "hooks",     "schedule", "proxy"};
const std::vector<std::string> kEndpointKeys = {"url", "password_env", "password_file"};
const std::vector<std::string> kTablesKeys = {"include", "exclude"};
const std::vector<std::string> kCopyKeys = {"workers", "chunk_rows", "batch_rows"};
const std::vector<std::string> kSyncKeys = {"batch_changes", "max_retained", "stop_at"};

constexpr char kUrlExample[] = "a database URL such as sqlite:///abs/path.db";

bool IsEnvName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

class PlanParser {
 public:
  explicit PlanParser(const PlanYaml& yaml) : yaml_(yaml) {}

  Result<Plan> Parse(const YAML::Node& root) {
    Field doc = PlanYaml::Root(root);
    if (!root.IsMap()) {
      return Fail(yaml_.Fail(doc.where, "the plan is " + PlanYaml::Describe(root),
                             "a map with source, target and optional sections",
                             "`peerlock init` writes a commented plan to start from"));
    }
    PL_ASSIGN(std::vector<Entry> entries,
              yaml_.Entries(doc, kPlanKeys, "one of the plan's sections"));
    Plan plan;
    bool has_source = false, has_target = false;
    for (const Entry& entry : entries) {
      if (entry.key == "version") {
        PL_TRY(CheckVersion(entry.value));
      } else if (entry.key == "source") {
        PL_ASSIGN(plan.source, ParseEndpoint(entry));
        has_source = true;
      } else if (entry.key == "target") {
        PL_ASSIGN(plan.target, ParseEndpoint(entry));
        has_target = true;
      } else if (entry.key == "tables") {
        PL_TRY(ParseTables(entry.value, plan));
      } else if (entry.key == "transform") {
        PL_ASSIGN(plan.transforms, plan_internal::ParseTransforms(yaml_, entry.value));
      } else if (entry.key == "copy") {
        PL_TRY(ParseCopy(entry.value, plan.copy));
      } else if (entry.key == "sync") {
        PL_TRY(ParseSync(entry.value, plan.sync));
      } else if (entry.key == "proxy") {
        PL_ASSIGN(plan.proxy, plan_internal::ParseProxy(yaml_, entry.value));
      } else {
        PL_TRY(ParseRoadmapSection(entry, plan));
      }
    }
    if (!has_source) return Fail(MissingEndpoint(doc, "source", "sqlite:///path/to/old.db"));
    if (!has_target) return Fail(MissingEndpoint(doc, "target", "sqlite:///path/to/new.db"));
    PL_TRY(plan_internal::CheckRoadmapReferences(yaml_, plan));
    return plan;
  }

 private:
  Error MissingEndpoint(const Field& doc, const std::string& key, const std::string& url) const {
    return yaml_.Fail(doc.where, "the plan has no " + key, "a '" + key + ":' section with a url",
                      "add '" + key + ":' with 'url: " + url + "' indented below it");
  }

  // objectives, rollback, owners, systems, waves, hooks, schedule (plan_roadmap_parser.h).
  Status ParseRoadmapSection(const Entry& entry, Plan& plan) const {
    using namespace plan_internal;
    const Field& value = entry.value;
    if (entry.key == "objectives") {
      PL_ASSIGN(plan.objectives, ParseObjectives(yaml_, value));
    } else if (entry.key == "rollback") {
      PL_ASSIGN(plan.rollback, ParseRollback(yaml_, value));
    } else if (entry.key == "owners") {
      PL_ASSIGN(plan.owners, ParseOwners(yaml_, value));
    } else if (entry.key == "systems") {
      PL_ASSIGN(plan.systems, ParseSystems(yaml_, value));
    } else if (entry.key == "waves") {
      PL_ASSIGN(plan.waves, ParseWaves(yaml_, value));
    } else if (entry.key == "hooks") {
      PL_ASSIGN(plan.hooks, ParseHooks(yaml_, value));
    } else if (entry.key == "schedule") {
      PL_ASSIGN(plan.schedule, ParseSchedule(yaml_, value));
    }
    return {};
  }

  Status CheckVersion(const Field& field) const {
    if (field.node.IsScalar() && ParseInt64(Trim(field.node.Scalar())) == 1) return {};
    return Fail(yaml_.Fail(field.where, "version is " + PlanYaml::Describe(field.node), "1",
                           "1 is the only plan version this PeerLock reads; write 'version: 1' "
                           "or leave it out"));
  }

  Result<EndpointSpec> ParseEndpoint(const Entry& entry) const {
    EndpointSpec spec;
    spec.where = entry.key_where;
    PL_ASSIGN(std::vector<Entry> keys,
              yaml_.Entries(entry.value, kEndpointKeys,
                            "a map with url and optionally password_env or password_file"));
    const Entry* password_env = nullptr;
    const Entry* password_file = nullptr;
    for (const Entry& key : keys) {
      if (key.key == "url") {
        PL_ASSIGN(spec.url, yaml_.String(key.value, kUrlExample));
        // Checking the URL's shape here puts a typo at its line instead of at connect time.
        if (auto endpoint = Endpoint::Parse(spec.url); !endpoint) {
          const Error& error = endpoint.error();
          return Fail(yaml_.Fail(
              key.value.where, key.value.path + ": " + error.message(), kUrlExample,
              error.hint().empty() ? "the URL's scheme names the dialect: sqlite:, postgresql:"
                                   : error.hint()));
        }
      } else if (key.key == "password_env") {
        PL_ASSIGN(spec.password_env, yaml_.String(key.value, "an environment variable name"));
        if (!IsEnvName(spec.password_env)) {
          return Fail(yaml_.Fail(key.value.where,
                                 key.value.path + " is " + PlanYaml::Describe(key.value.node),
                                 "an environment variable name (letters, digits and '_')",
                                 "name the variable that holds the password, e.g. PGPASSWORD, "
                                 "not the password itself"));
        }
        password_env = &key;
      } else if (key.key == "password_file") {
        PL_ASSIGN(spec.password_file, yaml_.String(key.value, "the path of a password file"));
        password_file = &key;
      }
    }
    if (password_env && password_file) {
      const Entry* later = password_env->key_where.line > password_file->key_where.line
                               ? password_env
                               : password_file;
      return Fail(yaml_.Fail(
          later->key_where, entry.key + " has both password_env and password_file",
          "at most one of them", "keep the one your deployment provides and delete the other"));
    }
    if (spec.url.empty()) {
      return Fail(yaml_.Fail(entry.key_where, entry.key + " has no url",
                             "url: " + std::string(kUrlExample),
                             "add 'url: ...' indented below '" + entry.key + ":'"));
    }
    return spec;
  }

  Status ParseTables(const Field& section, Plan& plan) const {
    PL_ASSIGN(std::vector<Entry> keys,
              yaml_.Entries(section, kTablesKeys, "a map with include and/or exclude"));
    for (const Entry& key : keys) {
      const char* expected = "a list of table name globs such as [\"*\"]";
      // "tmp_*, old_*" reads as one glob that matches nothing: surely a list was meant.
      if (key.value.node.IsScalar() && key.value.node.Scalar().find(',') != std::string::npos) {
        return Fail(yaml_.Fail(key.value.where,
                               key.value.path + " is " + PlanYaml::Describe(key.value.node),
                               expected, "write a list in brackets: [\"tmp_*\", \"old_*\"]"));
      }
      PL_ASSIGN(std::vector<std::string> globs, yaml_.StringList(key.value, expected));
      if (key.key == "include") {
        if (globs.empty()) {
          return Fail(yaml_.Fail(key.value.where, "tables.include is empty",
                                 "at least one table name glob",
                                 "include: [\"*\"] migrates every table; leave include out "
                                 "for the same effect"));
        }
        plan.include = std::move(globs);
      } else {
        plan.exclude = std::move(globs);
      }
    }
    return {};
  }

  Status ParseCopy(const Field& section, CopySettings& copy) const {
    PL_ASSIGN(std::vector<Entry> keys,
              yaml_.Entries(section, kCopyKeys, "a map with workers, chunk_rows, batch_rows"));
    for (const Entry& key : keys) {
      if (key.key == "workers") {
        PL_ASSIGN(int64_t workers,
                  yaml_.Integer(key.value, 1, 64,
                                "workers is how many chunks are copied at once; more than the "
                                "databases have cores rarely helps"));
        copy.workers = static_cast<int>(workers);
      } else if (key.key == "chunk_rows") {
        PL_ASSIGN(copy.chunk_rows,
                  yaml_.Integer(key.value, 1, std::numeric_limits<int64_t>::max(),
                                "chunk_rows is the rows per chunk, the unit of parallelism, "
                                "checkpointing and verification"));
      } else if (key.key == "batch_rows") {
        PL_ASSIGN(int64_t batch_rows,
                  yaml_.Integer(key.value, 1, 1000000,
                                "batch_rows is the rows per batch in flight; larger batches "
                                "use more memory"));
        copy.batch_rows = static_cast<int>(batch_rows);
      }
    }
    return {};
  }

  Status ParseSync(const Field& section, SyncSettings& sync) const {
    PL_ASSIGN(std::vector<Entry> keys,
              yaml_.Entries(section, kSyncKeys, "a map with batch_changes, max_retained, stop_at"));
    for (const Entry& key : keys) {
      if (key.key == "batch_changes") {
        PL_ASSIGN(int64_t batch,
                  yaml_.Integer(key.value, 1, 1000000,
                                "batch_changes is the most source changes folded into one target "
                                "transaction (and the size of the parts a larger source "
                                "transaction is applied in)"));
        sync.batch_changes = static_cast<int>(batch);
      } else if (key.key == "max_retained") {
        PL_ASSIGN(std::string text, yaml_.String(key.value, "a size such as 8GB or 500MB"));
        std::optional<int64_t> bytes = ParseByteSize(text);
        if (!bytes || *bytes <= 0) {
          return Fail(yaml_.Fail(key.value.where, "sync.max_retained is '" + text + "'",
                                 "a size such as 8GB or 500MB",
                                 "the most source log (WAL, binlog) kept for PeerLock before "
                                 "the sync stops and releases it; units B, KB, MB, GB, TB"));
        }
        sync.max_retained_bytes = *bytes;
      } else if (key.key == "stop_at") {
        PL_ASSIGN(sync.stop_at, yaml_.String(key.value,
                                             "a source position or a time such as "
                                             "2026-12-01T02:00:00Z"));
      }
    }
    return {};
  }

  const PlanYaml& yaml_;
};

}  // namespace

Result<Plan> ParsePlan(const std::string& yaml_text, const std::string& file) {
  PlanYaml yaml(yaml_text, file.empty() ? "<plan>" : file);
  // yaml-cpp reports problems by throwing; LoadDocument turns syntax errors into values, and
  // this is the boundary for anything else the traversal might throw.
  try {
    PL_ASSIGN(YAML::Node root, yaml.LoadDocument());
    PL_ASSIGN(Plan plan, PlanParser(yaml).Parse(root));
    plan.file = file;
    return plan;
  } catch (const YAML::Exception& e) {
    return Fail(yaml.Fail(PlanYaml::FromMark(e.mark), "invalid YAML (" + e.msg + ")",
                          "well-formed YAML", "docs/plan.md shows the plan's format"));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, yaml.file() + ": reading the plan failed: " + e.what());
  }
}

Result<Plan> LoadPlanFile(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  absolute = absolute.lexically_normal();
  const std::string shown = absolute.string();

  // A directory opens fine and reads as nothing, which would pass for an empty plan.
  bool directory = std::filesystem::is_directory(absolute, ec);
  std::ifstream in;
  errno = 0;
  if (!directory) in.open(absolute, std::ios::binary);
  int open_errno = errno;
  std::stringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (directory || !in.is_open() || in.bad()) {
    bool missing = !std::filesystem::exists(absolute, ec);
    std::string reason = directory ? "it is a directory" : std::strerror(open_errno);
    return Fail(Error(ErrorCode::kNotFound, shown + ": cannot read the plan file (" + reason + ")")
                    .WithHint(missing ? "run `peerlock init` to write a commented plan file"
                                      : "check the path and its permissions, or run "
                                        "`peerlock init` to write a new plan file"));
  }
  return ParsePlan(text.str(), shown);
}

}  // namespace peerlock
