// Cutover freeze of a PostgreSQL database (Session::Freeze; docs/cutover.md, "Freeze").
//
// A session reads the database's default_transaction_read_only when it starts, so the setting
// alone stops only new sessions: the ones already open stay read-write and are ended (those
// inside a transaction once it finishes, at most after the grace). PeerLock's own connections
// override the setting at connect (PgConnInfo) and are recognised by application_name.
//
// The setting doubles as the persistent state, so a PeerLock killed anywhere resumes: 'on' is
// frozen; 'off' is a thaw that still has to end the sessions opened while frozen (they stay
// read-only until they reconnect) before the setting is reset.

#include <fmt/format.h>

#include <thread>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "connectors/postgres/postgres_session.h"
#include "connectors/postgres/postgres_sql.h"

namespace peerlock {
namespace {

using Clock = std::chrono::steady_clock;

// How often the sessions waited for are looked at again: polls, not synchronisations (the
// server has no way to wait for another session's transaction or exit).
constexpr auto kPollInterval = std::chrono::milliseconds(10);
constexpr auto kExitPollInterval = std::chrono::milliseconds(2);
// How long ended sessions get to exit before they are told again (then reported).
constexpr auto kTerminateWait = std::chrono::seconds(5);

bool IsOn(const std::string& value) {
  return value == "on" || value == "true" || value == "yes" || value == "1";
}

bool IsTrue(const PGresult* r, int column) { return std::string(PQgetvalue(r, 0, column)) == "t"; }

}  // namespace

Result<std::string> PostgresSession::ReadOnlySetting() {
  PL_ASSIGN(auto value, conn_->QueryValue(std::string(sql::kFreezeSetting)));
  return value.value_or("");
}

Result<bool> PostgresSession::Frozen(const FreezeOptions& options) {
  (void)options;  // the whole database is frozen, not tables
  PL_ASSIGN(std::string value, ReadOnlySetting());
  return IsOn(value);
}

Result<int> PostgresSession::EndApplicationSessions(const std::string& since,
                                                    Clock::time_point deadline) {
  // All are told to end in one statement, then waited for together: pg_terminate_backend's
  // own wait sleeps in steps of 100 ms, per session, inside the freeze.
  const std::string terminate =
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM unnest($1::int[]) AS pid";
  const std::string alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])";
  int ended = 0;
  std::map<std::string, int> attempts;  // pid -> times it was told to end
  while (true) {
    PL_ASSIGN(auto sessions, conn_->Query(std::string(sql::kFreezeSessions), {since}));
    if (PQntuples(sessions.get()) == 0) return ended;
    bool late = Clock::now() >= deadline;
    std::vector<std::string> to_end;
    for (int i = 0; i < PQntuples(sessions.get()); ++i) {
      std::string pid = PQgetvalue(sessions.get(), i, 0);
      // Idle sessions are ended at once: their next transaction would still be read-write.
      if (std::string(PQgetvalue(sessions.get(), i, 2)) == "t" && !late) continue;
      if (++attempts[pid] > 2)
        return Fail(
            Error(ErrorCode::kDatabase,
                  fmt::format("session {} of role {} on {} does not end", pid,
                              PQgetvalue(sessions.get(), i, 1), endpoint_.Redacted()))
                .WithHint("end it by hand (SELECT pg_terminate_backend(" + pid + ")), then rerun"));
      to_end.push_back(pid);
    }
    if (to_end.empty()) {  // only transactions still running: give them a moment
      auto now = Clock::now();
      std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
      continue;
    }
    const std::string pids = "{" + Join(to_end, ",") + "}";
    PL_ASSIGN(auto signalled, conn_->QueryValue(terminate, {pids}));
    ended += std::stoi(signalled.value_or("0"));
    // Gone from pg_stat_activity means past its transaction's end: an ended session cannot
    // commit after we return.
    auto give_up = Clock::now() + kTerminateWait;
    while (true) {
      PL_ASSIGN(auto left, conn_->QueryValue(alive, {pids}));
      if (left.value_or("0") == "0" || Clock::now() >= give_up) break;
      std::this_thread::sleep_for(kExitPollInterval);
    }
  }
}

Result<FreezeReport> PostgresSession::Freeze(const FreezeOptions& options) {
  auto deadline = Clock::now() + options.grace;
  PL_ASSIGN(auto database, conn_->QueryValue("SELECT current_database()"));
  std::string quoted = dialect_.QuoteIdentifier(database.value_or(""));
  PL_TRY(WithContext(
      conn_->Execute("ALTER DATABASE " + quoted + " SET default_transaction_read_only = on"),
      "freezing " + endpoint_.Redacted()));
  // Committed: every session starting from now on reads the setting.
  PL_ASSIGN(auto since, conn_->QueryValue("SELECT clock_timestamp()::text"));
  PL_ASSIGN(int ended, WithContext(EndApplicationSessions(since.value_or(""), deadline),
                                   "ending the application sessions of " + endpoint_.Redacted()));
  FreezeReport report{.sessions_ended = ended,
                      .detail = fmt::format("database {}: new transactions read-only "
                                            "(default_transaction_read_only = on); {} application "
                                            "session(s) ended",
                                            database.value_or(""), ended)};
  return report;
}

Status PostgresSession::Thaw(const FreezeOptions& options) {
  (void)options;
  PL_ASSIGN(std::string value, ReadOnlySetting());
  if (value.empty()) return {};  // not frozen, and no thaw half done
  PL_ASSIGN(auto database, conn_->QueryValue("SELECT current_database()"));
  std::string quoted = dialect_.QuoteIdentifier(database.value_or(""));
  const std::string where = "thawing " + endpoint_.Redacted();
  // 'off' first: new sessions write again, and a thaw killed before the reset below still
  // knows it has sessions to end.
  if (IsOn(value))
    PL_TRY(WithContext(
        conn_->Execute("ALTER DATABASE " + quoted + " SET default_transaction_read_only = off"),
        where));
  PL_ASSIGN(auto since, conn_->QueryValue("SELECT clock_timestamp()::text"));
  // Sessions opened while frozen could not write, so they are ended without a grace.
  PL_ASSIGN(int ended,
            WithContext(EndApplicationSessions(since.value_or(""), Clock::now()),
                        "ending the sessions opened while frozen on " + endpoint_.Redacted()));
  PL_TRY(WithContext(
      conn_->Execute("ALTER DATABASE " + quoted + " RESET default_transaction_read_only"), where));
  if (ended > 0)
    PL_LOG_INFO("thawed database {}: {} session(s) opened while frozen ended",
                database.value_or(""), ended);
  return {};
}

Result<std::vector<std::string>> PostgresSession::CheckFreeze(const FreezeOptions& options) {
  (void)options;
  PL_ASSIGN(auto r, conn_->Query(std::string(sql::kFreezeCheck)));
  std::vector<std::string> findings;
  if (PQntuples(r.get()) != 1) return findings;
  std::string role = PQgetvalue(r.get(), 0, 0), database = PQgetvalue(r.get(), 0, 1),
              owner = PQgetvalue(r.get(), 0, 2), writers = PQgetvalue(r.get(), 0, 7);
  std::string qrole = dialect_.QuoteIdentifier(role), qdb = dialect_.QuoteIdentifier(database);
  if (!IsTrue(r.get(), 4))
    findings.push_back(fmt::format(
        "role {} cannot freeze database {}: ALTER DATABASE ... SET needs its owner ({}) or a "
        "superuser; fix: ALTER DATABASE {} OWNER TO {} (or GRANT {} TO {})",
        role, database, owner, qdb, qrole, dialect_.QuoteIdentifier(owner), qrole));
  if (!IsTrue(r.get(), 5))
    findings.push_back(fmt::format(
        "role {} cannot end the application sessions of database {} at a freeze; fix: GRANT "
        "pg_signal_backend TO {}",
        role, database, qrole));
  if (!IsTrue(r.get(), 6))
    findings.push_back(fmt::format(
        "role {} cannot see when other roles' sessions started or whether they are in a "
        "transaction, so a freeze ends them all after the grace; fix: GRANT pg_read_all_stats "
        "TO {}",
        role, qrole));
  if (!writers.empty())
    findings.push_back(fmt::format(
        "role(s) {} set default_transaction_read_only = off for themselves (ALTER ROLE ... SET): "
        "their new sessions keep writing while database {} is frozen; fix: ALTER ROLE <role> "
        "[IN DATABASE {}] RESET default_transaction_read_only",
        writers, database, qdb));
  return findings;
}

}  // namespace peerlock
