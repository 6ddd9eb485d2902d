// Cutover freeze of a MariaDB server (MysqlSession::Freeze) against the throwaway server: an
// application account without READ_ONLY ADMIN is refused, PeerLock's account keeps writing, a
// statement holding up read_only past the grace is killed, and CheckFreeze names the accounts
// that write through. read_only is server-wide: every test thaws in TearDown, and the other
// tests sharing the server connect as `peerlock`, which holds READ_ONLY ADMIN.

#include <mysql.h>

#include <future>
#include <memory>

#include "capture/freeze_support.h"
#include "connectors/mysql/mysql_connector.h"
#include "support/test_servers.h"

namespace peerlock::freeze_test {
namespace {

namespace ts = test_servers;
using std::chrono::milliseconds;

constexpr const char* kReadOnlyRefusal = "running with the --read-only option";

// A plain Connector/C client logged in as `user`, as an application connects.
class MariadbClient {
 public:
  MariadbClient(const std::string& user, const std::string& password, const std::string& database) {
    unsigned timeout = 20;
    mysql_optionsv(mysql_.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    EXPECT_NE(mysql_real_connect(mysql_.get(), "127.0.0.1", user.c_str(), password.c_str(),
                                 database.c_str(), ts::MariadbPort(), nullptr, 0),
              nullptr)
        << mysql_error(mysql_.get());
  }
  // "" when `sql` succeeds, else the error text.
  std::string Exec(const std::string& sql) {
    if (mysql_query(mysql_.get(), sql.c_str()) != 0) return mysql_error(mysql_.get());
    if (MYSQL_RES* r = mysql_store_result(mysql_.get())) mysql_free_result(r);
    return "";
  }

 private:
  std::unique_ptr<MYSQL, decltype(&mysql_close)> mysql_{mysql_init(nullptr), &mysql_close};
};

class MariadbFreezeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = ts::TestDatabaseName();
    url_ = ts::CreateMariadbDatabase(database_);
    // Accounts are server-wide: named after the test's database, made afresh.
    app_ = "fz_app_" + database_.substr(database_.size() > 40 ? database_.size() - 40 : 0);
    Admin("DROP USER IF EXISTS '" + app_ + "'@'%'; CREATE USER '" + app_ +
          "'@'%' IDENTIFIED BY 'fz-pw'; GRANT SELECT, INSERT ON " + database_ + ".* TO '" + app_ +
          "'@'%'; CREATE TABLE t (id INT PRIMARY KEY, note TEXT)");
    ASSERT_OK_AND_ASSIGN(session_, Open(url_));
  }
  void TearDown() override {
    if (session_) (void)session_->Thaw(FreezeOptions{});  // never leave the server frozen
    Admin("DROP USER IF EXISTS '" + app_ + "'@'%'");
  }

  void Admin(const std::string& sql) {
    auto r = ts::RunMariadb(database_, sql);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  std::string Value(const std::string& sql) {
    auto r = ts::RunMariadb(database_, sql);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out.substr(0, r.out.find('\n'));
  }
  Result<std::unique_ptr<Session>> Open(const std::string& url) {
    PL_ASSIGN(Endpoint endpoint, Endpoint::Parse(url));
    return MysqlConnector().Connect(endpoint, SessionOptions{});
  }

  std::string database_, url_, app_;
  std::unique_ptr<Session> session_;
};

TEST_F(MariadbFreezeTest, RefusesApplicationWritesWhilePeerlockKeepsWriting) {
  MariadbClient app(app_, "fz-pw", database_);
  ASSERT_EQ(app.Exec("INSERT INTO t VALUES (1, 'before')"), "");
  ASSERT_OK_AND_ASSIGN(bool frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_FALSE(frozen);

  ASSERT_OK_AND_ASSIGN(FreezeReport report, session_->Freeze(FreezeOptions{}));
  EXPECT_EQ(report.sessions_ended, 0) << report.detail;
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_TRUE(frozen);
  EXPECT_PRED2(Contains, app.Exec("INSERT INTO t VALUES (2, 'frozen')"), kReadOnlyRefusal);
  MariadbClient late(app_, "fz-pw", database_);
  EXPECT_PRED2(Contains, late.Exec("INSERT INTO t VALUES (3, 'late')"), kReadOnlyRefusal);

  ASSERT_OK(session_->Execute("INSERT INTO t VALUES (4, 'peerlock')"));
  ASSERT_OK_AND_ASSIGN(auto apply, Open(url_));
  ASSERT_OK(apply->ApplyChanges(UpsertOne("t", 5, "applied", "mariadb-bin.000001:4")));
  EXPECT_EQ(Value("SELECT GROUP_CONCAT(id ORDER BY id) FROM t"), "1,4,5");

  ASSERT_OK(session_->Freeze(FreezeOptions{}));  // twice
  ASSERT_OK(session_->Thaw(FreezeOptions{}));
  ASSERT_OK(session_->Thaw(FreezeOptions{}));  // twice
  ASSERT_OK_AND_ASSIGN(frozen, session_->Frozen(FreezeOptions{}));
  EXPECT_FALSE(frozen);
  MariadbClient thawed(app_, "fz-pw", database_);
  EXPECT_EQ(thawed.Exec("INSERT INTO t VALUES (6, 'thawed')"), "");
}

// read_only does not wait for an idle transaction: its COMMIT is refused, nothing is lost
// that was acknowledged.
TEST_F(MariadbFreezeTest, AnOpenTransactionCannotCommitOnceFrozen) {
  MariadbClient app(app_, "fz-pw", database_);
  ASSERT_EQ(app.Exec("BEGIN"), "");
  ASSERT_EQ(app.Exec("INSERT INTO t VALUES (1, 'open')"), "");
  ASSERT_OK(session_->Freeze(FreezeOptions{}));
  EXPECT_PRED2(Contains, app.Exec("COMMIT"), kReadOnlyRefusal);
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "0");
}

// A running statement holds up SET GLOBAL read_only; past the grace its connection is killed.
TEST_F(MariadbFreezeTest, AStatementHoldingUpTheFreezePastTheGraceIsKilled) {
  MariadbClient app(app_, "fz-pw", database_);
  auto running = std::async(std::launch::async, [&] {
    return app.Exec("INSERT INTO t SELECT 1, 'slow' FROM DUAL WHERE SLEEP(600) = 0");
  });
  ASSERT_TRUE(Eventually([&] {
    return Value("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + app_ +
                 "' AND STATE = 'User sleep'") == "1";
  }));
  ASSERT_OK_AND_ASSIGN(FreezeReport report,
                       session_->Freeze(FreezeOptions{.grace = milliseconds(500)}));
  EXPECT_EQ(report.sessions_ended, 1) << report.detail;
  EXPECT_NE(running.get(), "");  // the connection was killed
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "0");
}

// Only READ_ONLY ADMIN writes through read_only on MariaDB 10.11 (SUPER no longer implies it).
TEST_F(MariadbFreezeTest, CheckFreezeNamesAccountsWritingThroughAndMissingPrivileges) {
  const std::string admin = "fz_roa_" + app_.substr(7), super = "fz_sup_" + app_.substr(7);
  Admin("DROP USER IF EXISTS '" + admin + "'@'%', '" + super + "'@'%'; CREATE USER '" + admin +
        "'@'%' IDENTIFIED BY 'fz-pw'; GRANT READ_ONLY ADMIN ON *.* TO '" + admin +
        "'@'%'; GRANT INSERT ON " + database_ + ".* TO '" + admin + "'@'%'; CREATE USER '" + super +
        "'@'%' IDENTIFIED BY 'fz-pw'; GRANT SUPER ON *.* TO '" + super + "'@'%'; GRANT INSERT ON " +
        database_ + ".* TO '" + super + "'@'%'");
  ASSERT_OK_AND_ASSIGN(auto findings, session_->CheckFreeze(FreezeOptions{}));
  std::string all;
  for (const auto& f : findings) all += f + "\n";
  EXPECT_PRED2(Contains, all, "account '" + admin + "'@'%' holds READ_ONLY ADMIN");
  EXPECT_FALSE(Contains(all, super)) << all;
  EXPECT_FALSE(Contains(all, app_)) << all;
  // What those findings say, seen from the accounts themselves.
  ASSERT_OK(session_->Freeze(FreezeOptions{}));
  MariadbClient through(admin, "fz-pw", database_), refused(super, "fz-pw", database_);
  EXPECT_EQ(through.Exec("INSERT INTO t VALUES (1, 'read_only admin')"), "");
  EXPECT_PRED2(Contains, refused.Exec("INSERT INTO t VALUES (2, 'super')"), kReadOnlyRefusal);
  ASSERT_OK(session_->Thaw(FreezeOptions{}));

  ASSERT_OK_AND_ASSIGN(auto plain, Open("mysql://" + app_ + ":fz-pw@127.0.0.1:" +
                                        std::to_string(ts::MariadbPort()) + "/" + database_));
  ASSERT_OK_AND_ASSIGN(findings, plain->CheckFreeze(FreezeOptions{}));
  all.clear();
  for (const auto& f : findings) all += f + "\n";
  EXPECT_PRED2(Contains, all, "GRANT READ_ONLY ADMIN ON *.* TO '" + app_ + "'@'%'");
  EXPECT_PRED2(Contains, all, "GRANT SELECT ON mysql.* TO '" + app_ + "'@'%'");
  Admin("DROP USER '" + admin + "'@'%', '" + super + "'@'%'");
}

}  // namespace
}  // namespace peerlock::freeze_test
