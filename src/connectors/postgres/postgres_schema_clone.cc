// PostgresSession::CloneSchema: PostgreSQL -> PostgreSQL schema as pg_dump sees it (types,
// enums, domains, functions, tables, defaults, identity, generated columns, views, comments
// before the data; indexes, constraints and triggers after it, built by pg_restore -j in
// parallel). The data path stays PeerLock's own.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/log.h"
#include "base/process.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_session.h"

namespace peerlock {
namespace {

// The pg_dump/pg_restore matching the server's major version, else whatever PATH has.
std::string Tool(const std::string& name, int server_version) {
  std::string path = fmt::format("/usr/lib/postgresql/{}/bin/{}", server_version / 10000, name);
  return std::filesystem::exists(path) ? path : name;
}

std::map<std::string, std::string> PasswordEnv(const Endpoint& e) {
  if (e.password().empty()) return {};
  return {{"PGPASSWORD", e.password()}};
}

// pg_restore errors that a rerun after a crash expects: the object is already there.
bool OnlyAlreadyExists(const std::string& err) {
  bool any = false;
  for (const auto& line : Split(err, '\n')) {
    if (line.find("ERROR:") == std::string::npos) continue;
    any = true;
    if (line.find("already exists") == std::string::npos &&
        line.find("multiple primary keys") == std::string::npos)
      return false;
  }
  return any;
}

std::string FirstLines(const std::string& text, int n) {
  std::vector<std::string> lines;
  for (const auto& l : Split(text, '\n')) {
    if (Trim(l).empty()) continue;
    lines.push_back(l);
    if (static_cast<int>(lines.size()) == n) break;
  }
  return Join(lines, " | ");
}

}  // namespace

Result<bool> PostgresSession::CloneSchema(const Endpoint& source, const std::string& section,
                                          const std::vector<std::string>& tables, int jobs) {
  if (source.scheme() != "postgresql" && source.scheme() != "postgres") return false;
  // One dump serves both sections of a copy, so the objects built after the data are exactly
  // those of the schema created before it.
  if (schema_dump_.empty() || schema_dump_source_ != source.Redacted()) {
    char dir_template[] = "/tmp/peerlock-schema-XXXXXX";
    if (!mkdtemp(dir_template))
      return Fail(Error(ErrorCode::kIo, "cannot create a temporary directory for the schema dump")
                      .WithHint("check that /tmp is writable and not full"));
    RemoveSchemaDump();
    schema_dump_ = std::string(dir_template) + "/schema.dump";
    schema_dump_source_ = source.Redacted();
    std::vector<std::string> dump = {Tool("pg_dump", conn_->server_version()),
                                     "--schema-only",
                                     "--format=custom",
                                     "--no-owner",
                                     "--no-privileges",
                                     "--file=" + schema_dump_,
                                     "--dbname=" + PgConnInfo(source, /*with_password=*/false)};
    for (const auto& t : tables) {
      auto [schema, name] = SplitPgTableName(t);
      dump.push_back("--table=" + dialect_.QuoteIdentifier(schema) + "." +
                     dialect_.QuoteIdentifier(name));
    }
    PL_LOG_INFO("dumping the schema of {} with pg_dump", source.Redacted());
    auto dumped = RunProcess(dump, PasswordEnv(source));
    if (!dumped || dumped->exit_code != 0) {
      RemoveSchemaDump();
      if (!dumped) return Fail(dumped.error());
      return Fail(Error(ErrorCode::kDatabase, "pg_dump --schema-only of " + source.Redacted() +
                                                  " failed: " + FirstLines(dumped->err, 3))
                      .WithHint("pg_dump must be able to read every object in scope; grant "
                                "PeerLock's user SELECT on them or run it as the owner"));
    }
  }
  const std::string& file = schema_dump_;

  if (section == "post-data") {
    // VACUUM ANALYZE first, in parallel: fresh statistics for the planner, and a visibility
    // map that lets the foreign-key checks below scan the loaded tables far faster.
    std::vector<std::string> vacuum = {Tool("vacuumdb", conn_->server_version()), "--analyze",
                                       fmt::format("--jobs={}", std::max(1, jobs)),
                                       "--dbname=" + PgConnInfo(endpoint_, false)};
    for (const auto& t : tables) vacuum.push_back("--table=" + dialect_.QuoteTable(t));
    auto vacuumed = RunProcess(vacuum, PasswordEnv(endpoint_));
    if (!vacuumed || vacuumed->exit_code != 0)
      PL_LOG_WARN(
          "vacuumdb --analyze on {} failed ({}); the planner may see stale statistics "
          "until autovacuum runs",
          endpoint_.Redacted(),
          vacuumed ? FirstLines(vacuumed->err, 2) : vacuumed.error().message());
  }
  std::vector<std::string> restore = {Tool("pg_restore", conn_->server_version()),
                                      "--section=" + section, "--no-owner", "--no-privileges",
                                      "--dbname=" + PgConnInfo(endpoint_, false)};
  if (jobs > 1 && section == "post-data") restore.push_back(fmt::format("--jobs={}", jobs));
  restore.push_back(file);
  auto restored = RunProcess(restore, PasswordEnv(endpoint_));
  if (section == "post-data") RemoveSchemaDump();
  if (!restored) return Fail(restored.error());
  if (restored->exit_code != 0 && !OnlyAlreadyExists(restored->err))
    return Fail(Error(ErrorCode::kDatabase, "pg_restore --section=" + section + " into " +
                                                endpoint_.Redacted() +
                                                " failed: " + FirstLines(restored->err, 4))
                    .WithHint(section == "pre-data"
                                  ? "the target must not hold these objects yet: drop them or "
                                    "use --if-exists replace, and check the extensions the "
                                    "schema needs are installed on the target"
                                  : "fix the object named above on the target, then rerun with "
                                    "--resume"));
  info_.clear();  // tables just appeared
  if (section == "post-data") {
    // pg_dump carries a materialized view's contents in its data section, which is ours to
    // move: rebuild them from the copied tables instead.
    PL_ASSIGN(auto views, conn_->Query("SELECT format('%I.%I', schemaname, matviewname) FROM "
                                       "pg_matviews WHERE NOT ispopulated"));
    for (int i = 0; i < PQntuples(views.get()); ++i)
      PL_TRY(conn_->Execute(std::string("REFRESH MATERIALIZED VIEW ") +
                            PQgetvalue(views.get(), i, 0)));
  }
  return true;
}

void PostgresSession::RemoveSchemaDump() {
  if (schema_dump_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(schema_dump_).parent_path(), ec);
  schema_dump_.clear();
}

}  // namespace peerlock
