#include "plan/plan_roadmap_parser.h"

#include <fmt/format.h>

#include "base/duration.h"
#include "base/strings.h"
#include "plan/plan_error.h"

namespace peerlock::plan_internal {
namespace {

const std::vector<std::string> kObjectiveKeys = {"max_downtime", "max_lag", "queries",
                                                 "credential_max_age"};
const std::vector<std::string> kQueryKeys = {"name", "sql", "p50", "p95"};
const std::vector<std::string> kRollbackKeys = {"when", "within"};
const std::vector<std::string> kHookKeys = {"run", "timeout"};
const std::vector<std::string> kWindowKeys = {"name", "start", "end", "duration", "waves"};

constexpr char kDurationExpected[] = "a duration such as 30s, 5m, 1h or 250ms";
constexpr char kTimeExpected[] = "a time with its zone such as 2026-12-01T02:00:00Z";

Result<QueryTarget> ParseQuery(const PlanYaml& yaml, const Field& item) {
  QueryTarget query;
  query.where = item.where;
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(item, kQueryKeys, "a map with name, sql and p50 and/or p95"));
  for (const Entry& key : keys) {
    if (key.key == "name") {
      PL_ASSIGN(query.name, yaml.String(key.value, "a name for the query"));
    } else if (key.key == "sql") {
      PL_ASSIGN(query.sql, yaml.String(key.value, "a read-only SQL query"));
    } else {
      PL_ASSIGN(double seconds,
                ParseDurationField(yaml, key.value,
                                   "the latency the query may take at that percentile on the "
                                   "target, e.g. 20ms"));
      (key.key == "p50" ? query.p50_seconds : query.p95_seconds) = seconds;
    }
  }
  if (query.name.empty() || query.sql.empty()) {
    return Fail(yaml.Fail(item.where,
                          item.path + " has no " + (query.name.empty() ? "name" : "sql"),
                          "name, sql and a latency target",
                          "write {name: orders_by_customer, sql: \"SELECT ...\", p95: 20ms}"));
  }
  if (!query.p50_seconds && !query.p95_seconds) {
    return Fail(yaml.Fail(item.where, item.path + " has no latency target", "p50 and/or p95",
                          "add p95: 20ms (or p50): bench compares the target against it"));
  }
  return query;
}

}  // namespace

Result<std::vector<Field>> ListItems(const PlanYaml& yaml, const Field& list,
                                     const std::string& expected) {
  std::vector<Field> items;
  if (list.node.IsNull()) return items;
  if (!list.node.IsSequence()) {
    return Fail(yaml.Fail(list.where, PlanYaml::Name(list) + " is " + PlanYaml::Describe(list.node),
                          expected, "write one '- {...}' line per item below " + list.path));
  }
  for (const auto& element : list.node) {
    Field item{element, PlanYaml::Where(element), fmt::format("{}[{}]", list.path, items.size())};
    if (item.node.IsNull()) item.where = list.where;
    items.push_back(std::move(item));
  }
  return items;
}

Result<double> ParseDurationField(const PlanYaml& yaml, const Field& field,
                                  const std::string& hint) {
  PL_ASSIGN(std::string text, yaml.String(field, kDurationExpected));
  std::optional<std::chrono::milliseconds> duration = ParseDuration(text);
  if (!duration) {
    return Fail(yaml.Fail(field.where, field.path + " is '" + text + "'", kDurationExpected,
                          "units are ms, s, m, h and d; " + hint));
  }
  return static_cast<double>(duration->count()) / 1000;
}

Result<Objectives> ParseObjectives(const PlanYaml& yaml, const Field& section) {
  Objectives out;
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(section, kObjectiveKeys,
                         "a map with max_downtime, max_lag, queries, credential_max_age"));
  for (const Entry& key : keys) {
    if (key.key == "max_downtime") {
      PL_ASSIGN(out.max_downtime_seconds,
                ParseDurationField(yaml, key.value,
                                   "max_downtime is how long writes may stop at cutover"));
    } else if (key.key == "max_lag") {
      PL_ASSIGN(out.max_lag_seconds,
                ParseDurationField(yaml, key.value,
                                   "max_lag is how far the target may trail the source"));
    } else if (key.key == "credential_max_age") {
      PL_ASSIGN(out.credential_max_age_seconds,
                ParseDurationField(yaml, key.value,
                                   "credential_max_age is how long a database password may "
                                   "stay unchanged, e.g. 90d"));
    } else {
      PL_ASSIGN(std::vector<Field> items,
                ListItems(yaml, key.value, "a list of {name, sql, p95} queries"));
      for (const Field& item : items) {
        PL_ASSIGN(QueryTarget query, ParseQuery(yaml, item));
        for (const QueryTarget& seen : out.queries) {
          if (seen.name == query.name) {
            return Fail(yaml.Fail(item.where, "query '" + query.name + "' appears twice",
                                  "each query name once", "rename one of them"));
          }
        }
        out.queries.push_back(std::move(query));
      }
    }
  }
  return out;
}

Result<RollbackPlan> ParseRollback(const PlanYaml& yaml, const Field& section) {
  RollbackPlan out;
  out.where = section.where;
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(section, kRollbackKeys, "a map with when (criteria) and within"));
  for (const Entry& key : keys) {
    if (key.key == "when") {
      PL_ASSIGN(out.when,
                yaml.StringList(key.value, "a list of criteria such as \"smoke_test fails\""));
    } else {
      PL_ASSIGN(out.within_seconds,
                ParseDurationField(yaml, key.value,
                                   "within is how long after cutover going back stays possible "
                                   "(reverse capture runs that long)"));
    }
  }
  if (!section.node.IsNull() && out.when.empty()) {
    return Fail(yaml.Fail(section.where, "rollback has no criteria", "rollback.when",
                          "list when to go back, e.g. when: [\"smoke_test fails\", "
                          "\"downtime exceeds max_downtime\"]"));
  }
  return out;
}

Result<std::vector<HookSpec>> ParseHooks(const PlanYaml& yaml, const Field& section) {
  std::vector<std::string> allowed = HookNames();
  allowed.push_back("timeout");
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(section, allowed, "a map of hook names to commands"));
  std::vector<HookSpec> hooks;
  std::optional<double> default_timeout;
  std::vector<bool> explicit_timeout;
  for (const Entry& key : keys) {
    if (key.key == "timeout") {
      PL_ASSIGN(default_timeout,
                ParseDurationField(yaml, key.value,
                                   "hooks.timeout is how long any hook may run before it is "
                                   "killed and counted as failed"));
      continue;
    }
    HookSpec hook{.name = key.key, .where = key.value.where};
    bool has_timeout = false;
    if (key.value.node.IsMap()) {
      PL_ASSIGN(std::vector<Entry> parts,
                yaml.Entries(key.value, kHookKeys, "a command, or a map with run and timeout"));
      for (const Entry& part : parts) {
        if (part.key == "run") {
          PL_ASSIGN(hook.command, yaml.String(part.value, "a shell command"));
        } else {
          PL_ASSIGN(hook.timeout_seconds,
                    ParseDurationField(yaml, part.value, "how long this hook may run"));
          has_timeout = true;
        }
      }
      if (hook.command.empty()) {
        return Fail(yaml.Fail(key.value.where, key.value.path + " has no run", "run: <command>",
                              "write " + key.key + ": {run: ./script.sh, timeout: 30s}"));
      }
    } else {
      PL_ASSIGN(hook.command, yaml.String(key.value, "a shell command such as ./switch.sh"));
    }
    hooks.push_back(std::move(hook));
    explicit_timeout.push_back(has_timeout);
  }
  for (size_t i = 0; i < hooks.size(); ++i) {
    if (default_timeout && !explicit_timeout[i]) hooks[i].timeout_seconds = *default_timeout;
  }
  return hooks;
}

Result<std::vector<ScheduleWindow>> ParseSchedule(const PlanYaml& yaml, const Field& section) {
  PL_ASSIGN(std::vector<Field> items,
            ListItems(yaml, section, "a list of {name, start, end, waves} windows"));
  std::vector<ScheduleWindow> windows;
  for (const Field& item : items) {
    ScheduleWindow window{.where = item.where};
    PL_ASSIGN(std::vector<Entry> keys,
              yaml.Entries(item, kWindowKeys, "a map with name, start, end or duration, waves"));
    std::optional<int64_t> start, end;
    std::optional<double> duration;
    const Entry* end_entry = nullptr;
    for (const Entry& key : keys) {
      if (key.key == "name") {
        PL_ASSIGN(window.name, yaml.String(key.value, "a name for the window"));
      } else if (key.key == "waves") {
        PL_ASSIGN(window.waves, yaml.StringList(key.value, "a list of wave names"));
      } else if (key.key == "duration") {
        PL_ASSIGN(duration, ParseDurationField(yaml, key.value, "the window's length"));
        end_entry = &key;
      } else {
        PL_ASSIGN(std::string text, yaml.String(key.value, kTimeExpected));
        std::optional<int64_t> at = ParseIsoTime(text);
        if (!at) {
          return Fail(yaml.Fail(key.value.where, key.value.path + " is '" + text + "'",
                                kTimeExpected,
                                "write the date, 'T', the time and the zone (Z for UTC, or "
                                "+01:00): the team may sit in several zones"));
        }
        (key.key == "start" ? window.start : window.end) = text;
        (key.key == "start" ? start : end) = at;
        if (key.key == "end") end_entry = &key;
      }
    }
    if (window.name.empty() || !start || (!end && !duration)) {
      std::string missing = window.name.empty() ? "name" : !start ? "start" : "end or duration";
      return Fail(yaml.Fail(item.where, item.path + " has no " + missing,
                            "name, start, and end or duration",
                            "write {name: pilot, start: 2026-12-01T02:00:00Z, duration: 2h}"));
    }
    if (end && duration) {
      return Fail(yaml.Fail(end_entry->key_where, item.path + " has both end and duration",
                            "one of them", "keep the one you planned with"));
    }
    if (duration) {
      end = *start + static_cast<int64_t>(*duration);
    }
    if (*end <= *start) {
      return Fail(yaml.Fail(end_entry->value.where, item.path + " ends before it starts",
                            "an end after the start", "check the dates and the zones"));
    }
    window.start_epoch = *start;
    window.end_epoch = *end;
    windows.push_back(std::move(window));
  }
  return windows;
}

}  // namespace peerlock::plan_internal
