#include "engine/copy/schema_setup.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "base/strings.h"
#include "engine/copy/sequence_mapping.h"

namespace peerlock {
namespace {

// "CREATE VIEW v" -> "CREATE VIEW IF NOT EXISTS v" (same for TRIGGER), so reruns are no-ops.
// Definitions that replace themselves ("OR REPLACE") or already say so are left alone.
std::string IdempotentCreate(const std::string& sql, const std::string& kind) {
  std::string lower = ToLower(sql);
  if (lower.find("if not exists") != std::string::npos) return sql;
  if (lower.find("or replace") != std::string::npos) return sql;
  auto pos = lower.find(kind);
  if (pos == std::string::npos) return sql;
  return sql.substr(0, pos + kind.size()) + " IF NOT EXISTS" + sql.substr(pos + kind.size());
}

// Source tables to clone: empty means "all", which also carries types and functions that no
// single table names.
std::vector<std::string> CloneScope(const Inventory& inv) {
  bool all = true;
  for (const auto& o : inv.objects)
    if (o.kind == "table" && !o.migrated) all = false;
  std::vector<std::string> tables;
  if (!all)
    for (const auto& t : inv.tables) tables.push_back(t.table.name);
  return tables;
}

bool CanClone(const EngineContext& ctx, const Inventory& inv) {
  if (ctx.source_connector->dialect().name() != ctx.target_connector->dialect().name())
    return false;
  for (const auto& t : inv.tables)
    if (t.mapping.target.native_sql.empty()) return false;  // reshaped by the plan
  return !inv.tables.empty();
}

// Runs `statements` over `jobs` target sessions; failures are collected, not fatal.
Status RunParallel(const EngineContext& ctx, const std::vector<std::string>& statements, int jobs,
                   Session& first, std::vector<std::string>& failures) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::optional<Error> fatal;
  auto work = [&](Session& session) {
    for (size_t i; (i = next++) < statements.size();) {
      if (auto st = session.Execute(statements[i]); !st) {
        std::lock_guard lock(mu);
        failures.push_back(st.error().message());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs && statements.size() > 1; ++j) {
    threads.emplace_back([&] {
      auto session = ctx.OpenTarget();
      if (!session) {
        std::lock_guard lock(mu);
        if (!fatal) fatal = session.error();
        return;
      }
      work(**session);
    });
  }
  work(first);
  for (auto& t : threads) t.join();
  if (fatal) return Fail(std::move(*fatal));
  return {};
}

}  // namespace

Result<bool> PrepareTargetTables(const EngineContext& ctx, const Inventory& inv, IfExists if_exists,
                                 Session& target) {
  const Dialect& dialect = ctx.target_connector->dialect();
  std::vector<std::string> occupied;
  std::vector<const TableInventory*> to_create;
  for (const auto& t : inv.tables) {
    const std::string& name = t.mapping.target_table;
    PL_ASSIGN(bool exists, target.TableExists(name));
    if (!exists) {
      to_create.push_back(&t);
      continue;
    }
    PL_ASSIGN(bool empty, target.TableIsEmpty(name));
    if (empty || if_exists == IfExists::kAppend) continue;
    if (if_exists == IfExists::kReplace) {
      PL_TRY(target.Execute(dialect.DropTableSql(name)));
      to_create.push_back(&t);
      continue;
    }
    occupied.push_back(name);
  }
  if (!occupied.empty())
    return Fail(
        Error(ErrorCode::kBlocked, "target table(s) already hold rows: " + Join(occupied, ", "))
            .WithHint("use --resume to continue an interrupted copy, --if-exists replace "
                      "to drop and recopy them, or --if-exists append to add rows"));
  if (to_create.size() == inv.tables.size() && CanClone(ctx, inv)) {
    PL_ASSIGN(bool cloned, WithContext(target.CloneSchema(ctx.source, "pre-data", CloneScope(inv),
                                                          /*jobs=*/1),
                                       "creating the target schema"));
    if (cloned) return true;
  }
  // Tables PeerLock renders itself may still use the source's types, domains and sequences.
  if (!to_create.empty() &&
      ctx.source_connector->dialect().name() == ctx.target_connector->dialect().name()) {
    PL_TRY(WithContext(target.CloneSchema(ctx.source, "types", {}, 1),
                       "creating the types the tables use"));
  }
  for (const TableInventory* t : to_create)
    for (const auto& sql : dialect.CreateTableSql(t->mapping.target))
      PL_TRY(WithContext(target.Execute(sql), "creating table " + t->mapping.target_table));
  return false;
}

Result<PostDataResult> FinishTargetSchema(const EngineContext& ctx, const Inventory& inv,
                                          Session& target, bool schema_cloned) {
  const Dialect& dialect = ctx.target_connector->dialect();
  PostDataResult result;
  int jobs = std::max(1, std::min(2, ctx.target_connector->capabilities().max_writers));
  if (schema_cloned) {
    PL_ASSIGN(bool done,
              WithContext(target.CloneSchema(ctx.source, "post-data", CloneScope(inv), jobs),
                          "building indexes and constraints"));
    if (!done) return Fail(ErrorCode::kInternal, "the target stopped supporting schema clones");
  } else {
    std::vector<std::string> statements;
    for (const auto& t : inv.tables)
      for (const auto& sql : dialect.PostDataSql(t.mapping.target)) statements.push_back(sql);
    std::vector<std::string> failures;
    PL_TRY(RunParallel(ctx, statements, jobs, target, failures));
    if (!failures.empty())
      return Fail(Error(ErrorCode::kDatabase,
                        "building indexes and constraints failed: " + Join(failures, "; "))
                      .WithHint("fix the object named above on the target, then rerun with "
                                "--resume"));
    // Views before triggers (a trigger may use a view); only same-dialect ones are migratable.
    for (const char* kind : {"view", "trigger"}) {
      for (const auto& o : inv.objects) {
        if (o.kind != kind || !o.migrated) continue;
        if (auto st = target.Execute(IdempotentCreate(o.native_sql, kind)); !st)
          result.warnings.push_back(std::string(kind) + " " + o.name +
                                    " not created: " + st.error().message());
      }
    }
  }
  PL_ASSIGN(result.foreign_key_problems, target.CheckForeignKeys());
  // Sequences continue from the source's own position, not from max(id) + 1: those feeding a
  // table in scope (also into another dialect's identity or AUTO_INCREMENT), and every other
  // one when the whole schema was cloned.
  PL_ASSIGN(auto source, ctx.OpenSource());
  PL_ASSIGN(auto source_sequences, source->Sequences());
  bool same_dialect =
      ctx.source_connector->dialect().name() == ctx.target_connector->dialect().name();
  bool whole_schema = schema_cloned && CloneScope(inv).empty();
  std::vector<SequenceValue> sequences =
      SequencesForTarget(inv, source_sequences, same_dialect, whole_schema);
  auto set = target.SetSequences(sequences);
  if (!set) return Fail(set.error().Context("setting sequences"));
  // A sequence the target was created without is worth a warning, not a failed copy: the data
  // is all there.
  if (!set->missing.empty())
    result.warnings.push_back(MissingSequencesNote(*set) +
                              ": create them on the target and set them past the copied keys");
  result.sequences_set = set->set;
  for (const auto& w : result.warnings) PL_LOG_WARN("{}", w);
  return result;
}

}  // namespace peerlock
