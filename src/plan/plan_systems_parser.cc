#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "plan/plan_error.h"
#include "plan/plan_roadmap_parser.h"
#include "plan/rollback_criteria.h"

namespace peerlock::plan_internal {
namespace {

const std::vector<std::string> kSystemKeys = {"name", "kind", "check", "path", "depends_on"};
const std::vector<std::string> kSystemKinds = {"service", "storage", "integration"};
const std::vector<std::string> kWaveKeys = {"name", "tables", "systems", "where", "approve"};
constexpr char kDatabases[] = "db";  // `owners: {db: ...}`: both databases

bool IsName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

Result<std::string> ParseName(const PlanYaml& yaml, const Field& field, const std::string& what) {
  PL_ASSIGN(std::string name, yaml.String(field, "a name for the " + what));
  if (!IsName(name)) {
    return Fail(yaml.Fail(field.where, field.path + " is '" + name + "'",
                          "letters, digits, '_' and '-'",
                          "names are referred to elsewhere in the plan and on the command line "
                          "(peerlock migrate --wave NAME): keep them plain"));
  }
  return name;
}

// Where each string of a list value sits (the list's own place for a single string).
std::vector<SourceLocation> ItemLocations(const Field& list, size_t count) {
  std::vector<SourceLocation> out(count, list.where);
  if (!list.node.IsSequence()) return out;
  for (size_t i = 0; i < count && i < list.node.size(); ++i) {
    SourceLocation where = PlanYaml::Where(list.node[i]);
    if (where.line > 0) out[i] = where;
  }
  return out;
}

Status CheckProbe(const PlanYaml& yaml, const Field& field, const std::string& text) {
  if (ParseProbeUrl(text)) return {};
  return Fail(yaml.Fail(field.where, field.path + " is '" + text + "'",
                        "http://host/path, https://host/path or tcp://host:port",
                        "an HTTP(S) check passes on a 2xx or 3xx status; a tcp check when the "
                        "port accepts a connection (tcp needs the port)"));
}

Result<SystemSpec> ParseSystem(const PlanYaml& yaml, const Field& item) {
  SystemSpec system{.where = item.where};
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(item, kSystemKeys, "a map with name, kind, check or path, depends_on"));
  const Entry* check = nullptr;
  const Entry* path = nullptr;
  bool has_kind = false;
  for (const Entry& key : keys) {
    if (key.key == "name") {
      PL_ASSIGN(system.name, ParseName(yaml, key.value, "system"));
      if (system.name == "source" || system.name == "target" || system.name == kDatabases) {
        return Fail(yaml.Fail(key.value.where, "a system is named '" + system.name + "'",
                              "a name other than source, target and db",
                              "the plan's databases are already the systems 'source' and "
                              "'target' ('db' names both in owners); choose another name"));
      }
    } else if (key.key == "kind") {
      PL_ASSIGN(std::string kind, yaml.String(key.value, QuotedList(kSystemKinds)));
      if (kind == "service") {
        system.kind = SystemKind::kService;
      } else if (kind == "storage") {
        system.kind = SystemKind::kStorage;
      } else if (kind == "integration") {
        system.kind = SystemKind::kIntegration;
      } else {
        return Fail(yaml.Fail(key.value.where, key.value.path + " is '" + kind + "'",
                              QuotedList(kSystemKinds),
                              DidYouMean(kind, kSystemKinds,
                                         "a service and an integration are probed by check, "
                                         "storage is measured at path")));
      }
      has_kind = true;
    } else if (key.key == "check") {
      PL_ASSIGN(system.check, yaml.String(key.value, "a probe URL"));
      PL_TRY(CheckProbe(yaml, key.value, system.check));
      check = &key;
    } else if (key.key == "path") {
      PL_ASSIGN(system.path, yaml.String(key.value, "a directory or file path"));
      path = &key;
    } else {
      PL_ASSIGN(system.depends_on, yaml.StringList(key.value, "a list of system names"));
      system.depends_on_where = ItemLocations(key.value, system.depends_on.size());
    }
  }
  if (system.name.empty() || !has_kind) {
    return Fail(yaml.Fail(item.where, item.path + " has no " + (has_kind ? "name" : "kind"),
                          "name and kind",
                          "write {name: web, kind: service, check: \"http://10.0.0.5/health\"}"));
  }
  std::string label = "system '" + system.name + "'";
  if (system.kind == SystemKind::kStorage) {
    if (check) {
      return Fail(yaml.Fail(check->key_where, label + " is storage but has a check",
                            "path for storage",
                            "storage is measured (size, files, checksums) "
                            "at path; make it a service to probe a URL"));
    }
    if (!path) {
      return Fail(yaml.Fail(item.where, label + " is storage without a path", "path: /srv/...",
                            "add the directory or file whose size, file count and checksums "
                            "inventory records"));
    }
  } else {
    if (path) {
      return Fail(yaml.Fail(path->key_where,
                            label + " is a " + SystemKindName(system.kind) + " but has a path",
                            "check: <probe URL>", "only storage has a path; use kind: storage"));
    }
    if (!check) {
      return Fail(yaml.Fail(item.where, label + " has no check", "check: <probe URL>",
                            "add check: \"http://host/health\" or \"tcp://host:port\" so "
                            "inventory and status can probe it"));
    }
  }
  return system;
}

Result<WaveSpec> ParseWave(const PlanYaml& yaml, const Field& item) {
  WaveSpec wave{.where_in_file = item.where};
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(item, kWaveKeys, "a map with name, tables, systems, where, approve"));
  for (const Entry& key : keys) {
    if (key.key == "name") {
      PL_ASSIGN(wave.name, ParseName(yaml, key.value, "wave"));
    } else if (key.key == "tables") {
      PL_ASSIGN(wave.tables, yaml.StringList(key.value, "a list of source table names"));
    } else if (key.key == "systems") {
      PL_ASSIGN(wave.systems, yaml.StringList(key.value, "a list of system names"));
      wave.systems_where = ItemLocations(key.value, wave.systems.size());
    } else if (key.key == "where") {
      PL_ASSIGN(wave.where, yaml.String(key.value, "a row filter such as \"tenant_id IN (1, 2)\""));
    } else {
      PL_ASSIGN(wave.approve, yaml.Bool(key.value));
    }
  }
  if (wave.name.empty()) {
    return Fail(yaml.Fail(item.where, item.path + " has no name", "name: <wave>",
                          "waves are named: peerlock migrate --wave NAME runs one"));
  }
  if (wave.tables.empty() && wave.systems.empty()) {
    return Fail(yaml.Fail(item.where, "wave '" + wave.name + "' moves nothing",
                          "tables and/or systems", "list the tables or systems it moves"));
  }
  if (!wave.where.empty() && wave.tables.empty()) {
    return Fail(yaml.Fail(item.where, "wave '" + wave.name + "' has a row filter but no tables",
                          "tables the filter applies to", "add tables: [...] to the wave"));
  }
  return wave;
}

// An error for `name` (written at `where`) naming nothing among `valid`.
Error UnknownName(const PlanYaml& yaml, SourceLocation where, const std::string& what,
                  const std::string& name, const std::vector<std::string>& valid) {
  return yaml.Fail(where, what + " names '" + name + "', which the plan does not define",
                   "one of " + QuotedList(valid),
                   DidYouMean(name, valid, "define it under systems: or waves:, or fix the name"));
}

// "system 'w' appears twice (first on line 6)", at the second one.
Error Twice(const PlanYaml& yaml, SourceLocation where, const std::string& what,
            const std::string& name, int first_line) {
  return yaml.Fail(where,
                   fmt::format("{} '{}' appears twice (first on line {})", what, name, first_line),
                   "each " + what + " once", "merge the two or rename one");
}

}  // namespace

Result<std::vector<SystemSpec>> ParseSystems(const PlanYaml& yaml, const Field& section) {
  PL_ASSIGN(std::vector<Field> items,
            ListItems(yaml, section, "a list of {name, kind, check or path, depends_on}"));
  std::vector<SystemSpec> systems;
  for (const Field& item : items) {
    PL_ASSIGN(SystemSpec system, ParseSystem(yaml, item));
    for (const SystemSpec& seen : systems) {
      if (seen.name == system.name) {
        return Fail(Twice(yaml, item.where, "system", system.name, seen.where.line));
      }
    }
    systems.push_back(std::move(system));
  }
  return systems;
}

Result<std::vector<WaveSpec>> ParseWaves(const PlanYaml& yaml, const Field& section) {
  PL_ASSIGN(std::vector<Field> items,
            ListItems(yaml, section, "a list of {name, tables, systems, where, approve}"));
  std::vector<WaveSpec> waves;
  for (const Field& item : items) {
    PL_ASSIGN(WaveSpec wave, ParseWave(yaml, item));
    for (const WaveSpec& seen : waves) {
      if (seen.name == wave.name) {
        return Fail(Twice(yaml, item.where, "wave", wave.name, seen.where_in_file.line));
      }
      // Row-filtered waves split one table by tenant, so only unfiltered overlaps are wrong.
      for (const std::string& table : wave.tables) {
        bool both_whole = seen.where.empty() && wave.where.empty();
        if (both_whole &&
            std::find(seen.tables.begin(), seen.tables.end(), table) != seen.tables.end()) {
          return Fail(yaml.Fail(
              item.where,
              "table '" + table + "' is in wave '" + seen.name + "' and in '" + wave.name + "'",
              "each table in one wave, or a row filter (where) on each",
              "a table moves once; split it between waves with where: "
              "\"tenant_id IN (...)\""));
        }
      }
    }
    waves.push_back(std::move(wave));
  }
  return waves;
}

Result<std::vector<OwnerSpec>> ParseOwners(const PlanYaml& yaml, const Field& section) {
  PL_ASSIGN(std::vector<Entry> keys, yaml.Entries(section, {}, "a map of system or wave to team"));
  std::vector<OwnerSpec> owners;
  for (const Entry& key : keys) {
    PL_ASSIGN(std::string team, yaml.String(key.value, "a team or person"));
    owners.push_back({.component = key.key, .team = team, .where = key.key_where});
  }
  return owners;
}

Status CheckRoadmapReferences(const PlanYaml& yaml, Plan& plan) {
  std::vector<std::string> systems = {"source", "target"};
  for (const SystemSpec& system : plan.systems) systems.push_back(system.name);
  std::vector<std::string> waves;
  for (const WaveSpec& wave : plan.waves) waves.push_back(wave.name);
  auto known = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (SystemSpec& system : plan.systems) {
    for (size_t i = 0; i < system.depends_on.size(); ++i) {
      const std::string& name = system.depends_on[i];
      if (known(systems, name) && name != system.name) continue;
      SourceLocation where = system.depends_on_where[i];
      if (name == system.name) {
        return Fail(yaml.Fail(where, "system '" + name + "' depends on itself", "other systems",
                              "remove '" + name + "' from its depends_on"));
      }
      return Fail(
          UnknownName(yaml, where, "system '" + system.name + "' depends_on", name, systems));
    }
  }
  for (const WaveSpec& wave : plan.waves) {
    for (size_t i = 0; i < wave.systems.size(); ++i) {
      if (known(systems, wave.systems[i])) continue;
      return Fail(UnknownName(yaml, wave.systems_where[i], "wave '" + wave.name + "' systems",
                              wave.systems[i], systems));
    }
  }
  for (const ScheduleWindow& window : plan.schedule) {
    for (const std::string& name : window.waves) {
      if (!known(waves, name)) {
        return Fail(
            UnknownName(yaml, window.where, "window '" + window.name + "' waves", name, waves));
      }
    }
  }
  std::vector<std::string> components = systems;
  components.push_back(kDatabases);
  components.insert(components.end(), waves.begin(), waves.end());
  for (const OwnerSpec& owner : plan.owners) {
    if (!known(components, owner.component)) {
      return Fail(UnknownName(yaml, owner.where, "owners", owner.component, components));
    }
    for (SystemSpec& system : plan.systems) {
      if (system.name == owner.component) system.owner = owner.team;
    }
    for (WaveSpec& wave : plan.waves) {
      if (wave.name == owner.component) wave.owner = owner.team;
    }
  }
  // A criterion the cutover evaluates needs the objective it compares with.
  if (RollsBackOn(plan.rollback.when, RollbackCriterion::kDowntimeExceedsMax) &&
      !plan.objectives.max_downtime_seconds) {
    return Fail(yaml.Fail(plan.rollback.where,
                          "rollback.when says \"downtime exceeds max_downtime\", but objectives "
                          "has no max_downtime",
                          "objectives.max_downtime",
                          "add objectives: {max_downtime: 30s} (or drop that criterion)"));
  }
  return {};
}

}  // namespace peerlock::plan_internal
