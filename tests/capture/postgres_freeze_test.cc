// Cutover freeze of a PostgreSQL database (PostgresSession::Freeze) against the throwaway
// cluster: application sessions (plain libpq connections with their own application_name)
// are refused or ended, PeerLock's sessions keep writing, an open transaction gets its grace.

#include <libpq-fe.h>

#include <future>
#include <memory>

#include "capture/freeze_support.h"
#include "connectors/postgres/postgres_connector.h"
#include "support/test_servers.h"

namespace peerlock::freeze_test {
namespace {

namespace ts = test_servers;
using std::chrono::milliseconds;

constexpr const char* kReadOnlyRefusal = "cannot execute INSERT in a read-only transaction";
constexpr const char* kTerminated = "terminating connection due to administrator command";

// A plain libpq client, as an application connects (application_name `app` by default).
class PgClient {
 public:
  PgClient(const std::string& database, const std::string& application_name = "app") {
    std::string conninfo = "host=127.0.0.1 port=" + std::to_string(ts::PgPort()) +
                           " user=peerlock dbname=" + database + " sslmode=disable " +
                           "connect_timeout=20 application_name=" + application_name;
    conn_.reset(PQconnectdb(conninfo.c_str()));
    EXPECT_EQ(PQstatus(conn_.get()), CONNECTION_OK) << PQerrorMessage(conn_.get());
  }
  // "" when `sql` succeeds, else the error text.
  std::string Exec(const std::string& sql) {
    PGresult* r = PQexec(conn_.get(), sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    std::string error =
        st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
            ? ""
            : std::string(PQerrorMessage(conn_.get())) + "(status " + PQresStatus(st) + ")";
    PQclear(r);
    return error;
  }
  // The first value of `sql`, or "ERROR: ..." .
  std::string Value(const std::string& sql) {
    PGresult* r = PQexec(conn_.get(), sql.c_str());
    std::string out = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0
                          ? PQgetvalue(r, 0, 0)
                          : "ERROR: " + std::string(PQerrorMessage(conn_.get()));
    PQclear(r);
    return out;
  }
  int pid() const { return PQbackendPID(conn_.get()); }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_{nullptr, &PQfinish};
};

class PostgresFreezeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = ts::TestDatabaseName();
    url_ = ts::CreatePgDatabase(database_);
    auto created = ts::RunPsql(url_, "CREATE TABLE t (id int PRIMARY KEY, note text)");
    ASSERT_EQ(created.exit_code, 0) << created.Describe();
    ASSERT_OK_AND_ASSIGN(session_, Open());
    // PeerLock's own view of the database, for polling while it is frozen.
    watcher_ = std::make_unique<PgClient>(database_, "peerlock");
  }
  void TearDown() override {
    if (session_) (void)session_->Thaw(FreezeOptions{});  // the next test starts over anyway
  }

  Result<std::unique_ptr<Session>> Open(bool read_only = false) {
    PL_ASSIGN(Endpoint endpoint, Endpoint::Parse(url_));
    return PostgresConnector().Connect(endpoint, SessionOptions{.read_only = read_only});
  }
  int Rows(const std::string& where) {
    return std::stoi(watcher_->Value("SELECT count(*) FROM t WHERE " + where));
  }
  bool SessionGone(int pid) {
    return watcher_->Value("SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                           std::to_string(pid)) == "0";
  }

  std::string database_, url_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<PgClient> watcher_;
};

TEST_F(PostgresFreezeTest, RefusesApplicationWritesWhilePeerlockSessionsKeepWriting) {
  PgClient before(database_);
  ASSERT_EQ(before.Exec("INSERT INTO t VALUES (1, 'before')"), "");
  ASSERT_OK_AND_ASSIGN(auto findings, session_->CheckFreeze(FreezeOptions{}));
  EXPECT_TRUE(findings.empty()) << findings.front();
  ASSERT_OK_AND_ASSIGN(bool frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_FALSE(frozen);

  ASSERT_OK_AND_ASSIGN(FreezeReport report, session_->Freeze(FreezeOptions{}));
  EXPECT_EQ(report.sessions_ended, 1) << report.detail;  // `before`, idle
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_TRUE(frozen);
  EXPECT_PRED2(Contains, before.Exec("INSERT INTO t VALUES (2, 'ended')"), kTerminated);
  PgClient after(database_);
  EXPECT_PRED2(Contains, after.Exec("INSERT INTO t VALUES (3, 'after')"), kReadOnlyRefusal);

  // PeerLock: the session that froze, a new one (writes and applies changes), and a read-only
  // one that stays read-only.
  ASSERT_OK(session_->Execute("INSERT INTO t VALUES (4, 'peerlock')"));
  ASSERT_OK_AND_ASSIGN(auto apply, Open());
  ASSERT_OK(apply->Execute("UPDATE t SET note = 'updated' WHERE id = 1"));
  ASSERT_OK(apply->ApplyChanges(UpsertOne("t", 5, "applied", "0/10")));
  ASSERT_OK_AND_ASSIGN(auto reader, Open(/*read_only=*/true));
  EXPECT_FALSE(reader->Execute("INSERT INTO t VALUES (6, 'reader')"));
  EXPECT_EQ(Rows("id IN (1, 4, 5) AND note IN ('updated', 'peerlock', 'applied')"), 3);
  EXPECT_EQ(Rows("id IN (2, 3, 6)"), 0);

  // Freezing again succeeds (and ends `after`, idle and read-only).
  ASSERT_OK_AND_ASSIGN(report, session_->Freeze(FreezeOptions{}));
  EXPECT_EQ(report.sessions_ended, 1) << report.detail;
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_TRUE(frozen);

  ASSERT_OK(session_->Thaw(FreezeOptions{}));
  ASSERT_OK(session_->Thaw(FreezeOptions{}));
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_FALSE(frozen);
  PgClient thawed(database_);
  EXPECT_EQ(thawed.Exec("INSERT INTO t VALUES (7, 'thawed')"), "");
}

// A session opened while frozen stays read-only until it reconnects: thawing ends it.
TEST_F(PostgresFreezeTest, ThawEndsTheSessionsOpenedWhileFrozen) {
  ASSERT_OK(session_->Freeze(FreezeOptions{}));
  PgClient during(database_);
  EXPECT_PRED2(Contains, during.Exec("INSERT INTO t VALUES (1, 'during')"), kReadOnlyRefusal);
  ASSERT_OK(session_->Thaw(FreezeOptions{}));
  EXPECT_TRUE(SessionGone(during.pid()));
  EXPECT_PRED2(Contains, during.Exec("INSERT INTO t VALUES (1, 'during')"), kTerminated);
  PgClient after(database_);
  EXPECT_EQ(after.Exec("INSERT INTO t VALUES (1, 'after')"), "");
  // Nothing frozen: a thaw ends no one.
  ASSERT_OK(session_->Thaw(FreezeOptions{}));
  EXPECT_EQ(after.Exec("INSERT INTO t VALUES (2, 'after again')"), "");
}

TEST_F(PostgresFreezeTest, AnOpenTransactionCommitsWithinTheGrace) {
  PgClient idle(database_), writer(database_);
  ASSERT_EQ(writer.Exec("BEGIN; INSERT INTO t VALUES (1, 'in flight')"), "");
  ASSERT_OK_AND_ASSIGN(auto freezer, Open());
  auto freezing = std::async(std::launch::async, [&] {
    return freezer->Freeze(FreezeOptions{.grace = std::chrono::seconds(120)});
  });
  // The freeze holds (the idle session is gone) while the transaction is still open.
  ASSERT_TRUE(Eventually([&] { return SessionGone(idle.pid()); }));
  EXPECT_FALSE(SessionGone(writer.pid()));
  EXPECT_EQ(writer.Exec("COMMIT"), "");
  auto report = freezing.get();
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->sessions_ended, 2) << report->detail;  // idle, then writer after its commit
  EXPECT_EQ(Rows("id = 1"), 1);
  EXPECT_PRED2(Contains, writer.Exec("INSERT INTO t VALUES (2, 'later')"), kTerminated);
}

// Sessions are ended all at once, and every one has exited when Freeze returns: none can
// commit after the freeze reported itself done.
TEST_F(PostgresFreezeTest, EveryEndedSessionHasExitedWhenTheFreezeReturns) {
  std::vector<std::unique_ptr<PgClient>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<PgClient>(database_));
  ASSERT_OK_AND_ASSIGN(FreezeReport report, session_->Freeze(FreezeOptions{}));
  EXPECT_EQ(report.sessions_ended, 4) << report.detail;
  for (const auto& client : idle) EXPECT_TRUE(SessionGone(client->pid())) << client->pid();
  for (const auto& client : idle)
    EXPECT_PRED2(Contains, client->Exec("INSERT INTO t VALUES (1, 'ended')"), kTerminated);
  EXPECT_EQ(Rows("id = 1"), 0);
}

TEST_F(PostgresFreezeTest, ATransactionStillOpenAfterTheGraceIsEnded) {
  PgClient writer(database_);
  ASSERT_EQ(writer.Exec("BEGIN; INSERT INTO t VALUES (1, 'too slow')"), "");
  ASSERT_OK_AND_ASSIGN(FreezeReport report,
                       session_->Freeze(FreezeOptions{.grace = milliseconds(200)}));
  EXPECT_EQ(report.sessions_ended, 1) << report.detail;
  EXPECT_PRED2(Contains, writer.Exec("COMMIT"), kTerminated);
  EXPECT_EQ(Rows("id = 1"), 0);
}

// CheckFreeze names the missing privileges of a plain role, and the roles that opted out of
// read-only transactions for themselves.
TEST_F(PostgresFreezeTest, CheckFreezeNamesMissingPrivilegesAndRolesWritingThrough) {
  const std::string role = "fz_" + std::to_string(ts::PgPort()) + "_" + database_.substr(0, 20);
  auto made =
      ts::RunPsql(url_, "DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role +
                            " LOGIN PASSWORD 'fz-pw'; ALTER ROLE " + role + " IN DATABASE " +
                            database_ + " SET default_transaction_read_only = off");
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  ASSERT_OK_AND_ASSIGN(auto findings, session_->CheckFreeze(FreezeOptions{}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_PRED2(Contains, findings[0], role);
  EXPECT_PRED2(Contains, findings[0], "RESET default_transaction_read_only");

  ASSERT_OK_AND_ASSIGN(Endpoint endpoint,
                       Endpoint::Parse("postgresql://" + role + ":fz-pw@127.0.0.1:" +
                                       std::to_string(ts::PgPort()) + "/" + database_));
  ASSERT_OK_AND_ASSIGN(auto plain, PostgresConnector().Connect(endpoint, SessionOptions{}));
  ASSERT_OK_AND_ASSIGN(findings, plain->CheckFreeze(FreezeOptions{}));
  std::string all;
  for (const auto& f : findings) all += f + "\n";
  const std::string quoted = "\"" + role + "\"";
  EXPECT_PRED2(Contains, all, "OWNER TO " + quoted);
  EXPECT_PRED2(Contains, all, "GRANT pg_signal_backend TO " + quoted);
  EXPECT_PRED2(Contains, all, "GRANT pg_read_all_stats TO " + quoted);
  plain.reset();
  (void)ts::RunPsql(url_, "DROP ROLE " + role);  // the role setting goes with the database
}

}  // namespace
}  // namespace peerlock::freeze_test
