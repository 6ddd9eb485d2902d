// PostgresSession::CloneSchema: PostgreSQL -> PostgreSQL schema as pg_dump sees it (types,
// enums, domains, functions, tables, defaults, identity, generated columns, views, comments
// before the data; indexes, constraints and triggers after it, built by pg_restore -j in
// parallel). The data path stays PeerLock's own.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/log.h"
#include "base/process.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_session.h"
#include "connectors/postgres/postgres_tools.h"

namespace peerlock {
namespace {

// pg_restore errors that are expected: a rerun after a crash finds objects already there, and
// a copy of some tables only meets foreign keys to tables it does not copy (`skipped`).
bool OnlyExpectedErrors(const std::string& err, bool subset, std::vector<std::string>& skipped) {
  bool any = false;
  for (const auto& line : Split(err, '\n')) {
    if (line.find("ERROR:") == std::string::npos) continue;
    any = true;
    if (line.find("already exists") != std::string::npos ||
        line.find("multiple primary keys") != std::string::npos)
      continue;
    if (subset && line.find("does not exist") != std::string::npos) {
      skipped.push_back(Trim(line.substr(line.find("ERROR:") + 6)));
      continue;
    }
    return false;
  }
  return any;
}

void WriteTextFile(const std::string& path, const std::string& text) {
  if (FILE* f = std::fopen(path.c_str(), "w")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
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
    std::vector<std::string> dump = {PgTool("pg_dump", conn_->server_version()),
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
    auto dumped = RunProcess(dump, PgPasswordEnv(source));
    if (!dumped || dumped->exit_code != 0) {
      RemoveSchemaDump();
      if (!dumped) return Fail(dumped.error());
      return Fail(Error(ErrorCode::kDatabase, "pg_dump --schema-only of " + source.Redacted() +
                                                  " failed: " + FirstLines(dumped->err, 3))
                      .WithHint("pg_dump must be able to read every object in scope; grant "
                                "PeerLock's user SELECT on them or run it as the owner"));
    }
    // Keep the archive only as an open descriptor: the kernel removes it when this process
    // ends, even by kill -9. pg_restore reads it through /proc/<pid>/fd/<n>.
    std::string path = schema_dump_;
    schema_dump_fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(path).parent_path(), ec);
    if (schema_dump_fd_ < 0) {
      schema_dump_.clear();
      return Fail(Error(ErrorCode::kIo, "cannot reopen the schema dump " + path));
    }
    schema_dump_ = fmt::format("/proc/{}/fd/{}", getpid(), schema_dump_fd_);
  }
  const std::string& file = schema_dump_;

  if (section == "post-data") {
    // VACUUM ANALYZE first, in parallel: fresh statistics for the planner, and a visibility
    // map that lets the foreign-key checks below scan the loaded tables far faster.
    std::vector<std::string> vacuum = {PgTool("vacuumdb", conn_->server_version()), "--analyze",
                                       fmt::format("--jobs={}", std::max(1, jobs)),
                                       "--dbname=" + PgConnInfo(endpoint_, false)};
    for (const auto& t : tables) vacuum.push_back("--table=" + dialect_.QuoteTable(t));
    auto vacuumed = RunProcess(vacuum, PgPasswordEnv(endpoint_));
    if (!vacuumed || vacuumed->exit_code != 0)
      PL_LOG_WARN(
          "vacuumdb --analyze on {} failed ({}); the planner may see stale statistics "
          "until autovacuum runs",
          endpoint_.Redacted(),
          vacuumed ? FirstLines(vacuumed->err, 2) : vacuumed.error().message());
  }
  // "types": only what tables PeerLock renders itself may need (schemas, extensions, types,
  // domains, functions, sequences), chosen from the archive's table of contents.
  bool types_only = section == "types";
  std::string list_file;
  std::vector<std::string> restore = {PgTool("pg_restore", conn_->server_version()),
                                      "--section=" + std::string(types_only ? "pre-data" : section),
                                      "--no-owner", "--no-privileges",
                                      "--dbname=" + PgConnInfo(endpoint_, false)};
  if (types_only) {
    auto listed = RunProcess({PgTool("pg_restore", conn_->server_version()), "--list", file});
    if (!listed || listed->exit_code != 0)
      return Fail(Error(ErrorCode::kIo, "pg_restore --list of the schema dump failed"));
    static const char* const kKinds[] = {" SCHEMA ",    " EXTENSION ", " TYPE ",
                                         " DOMAIN ",    " FUNCTION ",  " PROCEDURE ",
                                         " AGGREGATE ", " SEQUENCE ",  " COLLATION "};
    std::string list;
    for (const auto& line : Split(listed->out, '\n')) {
      // OWNED BY needs the table, which is created after this.
      if (line.empty() || line[0] == ';' || line.find(" OWNED BY ") != std::string::npos) continue;
      for (const char* kind : kKinds)
        if (line.find(kind) != std::string::npos) {
          list += line + "\n";
          break;
        }
    }
    char list_template[] = "/tmp/peerlock-toc-XXXXXX";
    int list_fd = mkstemp(list_template);
    if (list_fd < 0) return Fail(Error(ErrorCode::kIo, "cannot write a temporary list file"));
    close(list_fd);
    list_file = list_template;
    WriteTextFile(list_file, list);
    restore.push_back("--use-list=" + list_file);
  }
  if (jobs > 1 && section == "post-data") restore.push_back(fmt::format("--jobs={}", jobs));
  restore.push_back(file);
  auto restored = RunProcess(restore, PgPasswordEnv(endpoint_));
  if (!list_file.empty()) std::remove(list_file.c_str());
  if (section != "pre-data") RemoveSchemaDump();
  if (!restored) return Fail(restored.error());
  std::vector<std::string> skipped;
  if (restored->exit_code != 0 && !OnlyExpectedErrors(restored->err, !tables.empty(), skipped))
    return Fail(Error(ErrorCode::kDatabase, "pg_restore --section=" + section + " into " +
                                                endpoint_.Redacted() +
                                                " failed: " + FirstLines(restored->err, 4))
                    .WithHint(section == "pre-data"
                                  ? "the target must not hold these objects yet: drop them or "
                                    "use --if-exists replace, and check the extensions the "
                                    "schema needs are installed on the target"
                                  : "fix the object named above on the target, then rerun with "
                                    "--resume"));
  for (const auto& s : skipped)
    PL_LOG_WARN("not created on {} (it refers to a table outside the copy): {}",
                endpoint_.Redacted(), s);
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
  if (schema_dump_fd_ >= 0) {
    close(schema_dump_fd_);
    schema_dump_fd_ = -1;
  } else if (!schema_dump_.empty()) {  // a dump that failed before it was reopened
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(schema_dump_).parent_path(), ec);
  }
  schema_dump_.clear();
}

}  // namespace peerlock
