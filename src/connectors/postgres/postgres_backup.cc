// PostgresSession::DumpDatabase / RestoreDump / PurgeTable: a whole-database pg_dump in the custom
// format, taken in a snapshot this session exported (so the backup's digests, read afterwards in
// the same transaction, describe the dump exactly), and pg_restore into an empty database.
#include <fmt/format.h>

#include "base/log.h"
#include "base/process.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_session.h"
#include "connectors/postgres/postgres_tools.h"

namespace peerlock {

inline constexpr char kPgCustomFormat[] = "pg-custom";

Result<std::string> PostgresSession::DumpDatabase(const std::string& path) {
  PL_ASSIGN(std::string snapshot, ExportSnapshot());
  // Uncompressed: PeerLock compresses the file with zstd and checksums it as it does.
  std::vector<std::string> dump = {PgTool("pg_dump", conn_->server_version()),
                                   "--format=custom",
                                   "--compress=0",
                                   "--snapshot=" + snapshot,
                                   "--file=" + path,
                                   "--dbname=" + PgConnInfo(endpoint_, /*with_password=*/false)};
  PL_LOG_INFO("dumping {} with pg_dump in snapshot {}", endpoint_.Redacted(), snapshot);
  PL_ASSIGN(ProcessResult dumped, RunProcess(dump, PgPasswordEnv(endpoint_)));
  if (dumped.exit_code != 0)
    return Fail(Error(ErrorCode::kDatabase, "pg_dump of " + endpoint_.Redacted() +
                                                " failed: " + FirstLines(dumped.err, 3))
                    .WithHint("pg_dump must be able to read every object of the database; run "
                              "the backup as the database's owner or a superuser"));
  return std::string(kPgCustomFormat);
}

Status PostgresSession::RestoreDump(const std::string& path, const std::string& format) {
  if (format != kPgCustomFormat)
    return Fail(Error(ErrorCode::kUnsupported, "a " + format +
                                                   " backup cannot be restored into PostgreSQL (" +
                                                   endpoint_.Redacted() + ")")
                    .WithHint("restore it into a database of the dialect it was taken from"));
  // Without owners and privileges: a drill restores as whoever runs it, where the backup's
  // roles may not exist.
  std::vector<std::string> restore = {PgTool("pg_restore", conn_->server_version()),
                                      "--no-owner",
                                      "--no-privileges",
                                      "--exit-on-error",
                                      "--jobs=2",
                                      "--dbname=" + PgConnInfo(endpoint_, /*with_password=*/false),
                                      path};
  PL_LOG_INFO("restoring into {} with pg_restore", endpoint_.Redacted());
  PL_ASSIGN(ProcessResult restored, RunProcess(restore, PgPasswordEnv(endpoint_)));
  if (restored.exit_code != 0)
    return Fail(Error(ErrorCode::kDatabase, "pg_restore into " + endpoint_.Redacted() +
                                                " failed: " + FirstLines(restored.err, 4))
                    .WithHint("the destination must be an empty database PeerLock's user may "
                              "create objects in; drop what the failed restore left and run "
                              "again"));
  return {};
}

Result<int64_t> PostgresSession::PurgeTable(const std::string& table) {
  // READ WRITE: a retired source's database defaults to read-only (the cutover freeze).
  PL_TRY(conn_->Execute("BEGIN READ WRITE"));
  auto deleted = conn_->QueryValue("WITH gone AS (DELETE FROM " + dialect_.QuoteTable(table) +
                                   " RETURNING 1) SELECT count(*) FROM gone");
  if (!deleted) {
    (void)conn_->Execute("ROLLBACK");
    return std::unexpected(deleted.error());
  }
  PL_TRY(conn_->Execute("COMMIT"));
  return std::stoll(deleted->value_or("0"));
}

}  // namespace peerlock
