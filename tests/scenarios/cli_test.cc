// The command line contract: exit codes (0 ok, 1 a check found a problem, 2 bad input,
// 3 runtime failure), messages that point at the problem, init/inventory/report/audit, and
// secrets that never leave the environment.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "scenarios/scenario_support.h"

namespace peerlock::scenario {
namespace {

using nlohmann::json;

// A table name that HTML must escape.
const char kOddTable[] = "tag <b> & co";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.File("source.db");
    target_ = dir_.File("target.db");
    state_ = dir_.File("state");
    Db db(source_);
    ASSERT_TRUE(db.Exec(R"sql(
      BEGIN;
      CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id),
                          name TEXT);
      CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER REFERENCES child(id));
      CREATE TABLE dept (id INTEGER PRIMARY KEY, head_id INTEGER REFERENCES emp(id));
      CREATE TABLE emp (id INTEGER PRIMARY KEY, dept_id INTEGER REFERENCES dept(id));
      CREATE TABLE loose (a INTEGER, b TEXT);
      CREATE TABLE "tag <b> & co" (id INTEGER PRIMARY KEY, v TEXT);
      INSERT INTO parent VALUES (1, 'p1'), (2, 'p2');
      INSERT INTO child VALUES (10, 1, 'c1'), (11, 1, 'c2'), (12, 2, 'c3');
      INSERT INTO grandchild VALUES (100, 10);
      INSERT INTO dept VALUES (1, 7);
      INSERT INTO emp VALUES (7, 1), (8, 1);
      INSERT INTO loose VALUES (1, 'x'), (1, 'x'), (2, NULL);
      INSERT INTO "tag <b> & co" VALUES (1, 'v');
      COMMIT;
    )sql"));
  }

  std::vector<std::string> Urls() const {
    return {"--source", SqliteUrl(source_), "--target", SqliteUrl(target_), "--state", state_};
  }
  RunResult Run(std::vector<std::string> args) {
    auto urls = Urls();
    args.insert(args.end(), urls.begin(), urls.end());
    return RunPeerlock(args);
  }
  RunResult RunPlan(const std::string& plan, std::vector<std::string> args) {
    args.insert(args.end(), {"--plan", plan, "--state", state_});
    return RunPeerlock(args);
  }

  TempDir dir_;
  std::string source_, target_, state_;
};

TEST_F(Cli, MalformedYamlIsBadInputWithFileLineColumn) {
  std::string plan = dir_.File("plan.yaml");
  // Line 4, column 9: the second ': ' of an unquoted value.
  WriteFile(plan, "source:\n  url: " + SqliteUrl(source_) + "\ntarget:\n  url: a: b\n");
  RunResult run = RunPlan(plan, {"inventory"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(plan + ":4:9:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("invalid YAML"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(Cli, UnterminatedFlowSequenceNamesThePlanFile) {
  std::string plan = dir_.File("plan.yaml");
  WriteFile(plan, "source:\n  url: " + SqliteUrl(source_) + "\ntables:\n  include: [parent\n");
  RunResult run = RunPlan(plan, {"copy"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  size_t at = run.err.find(plan + ":");
  ASSERT_NE(at, std::string::npos) << run.err;
  EXPECT_TRUE(std::regex_search(run.err.substr(at + plan.size()), std::regex("^:[0-9]+:[0-9]+: ")))
      << run.err;
  EXPECT_FALSE(FileExists(target_));
}

TEST_F(Cli, MisspelledKeyIsBadInputWithDidYouMean) {
  std::string plan = dir_.File("plan.yaml");
  WritePlan(plan, source_, target_, "tabels:\n  include: [\"*\"]\n");
  RunResult run = RunPlan(plan, {"inventory"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(plan + ":6:1:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("'tabels'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("did you mean 'tables'?"), std::string::npos) << run.err;

  WritePlan(plan, source_, target_, "copy:\n  chunk_row: 10\n");
  run = RunPlan(plan, {"copy"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(plan + ":7:3:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("did you mean 'chunk_rows'?"), std::string::npos) << run.err;
  EXPECT_FALSE(FileExists(target_));
}

TEST_F(Cli, MissingPlanFileIsBadInput) {
  std::string plan = dir_.File("no-such-plan.yaml");
  RunResult run = RunPlan(plan, {"inventory"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(plan), std::string::npos) << run.err;
}

TEST_F(Cli, NonexistentSourceIsRuntimeFailureNamingThePath) {
  std::string missing = dir_.File("no-such-source.db");
  for (const char* command : {"inventory", "copy", "verify"}) {
    RunResult run = RunPeerlock({command, "--source", SqliteUrl(missing), "--target",
                                 SqliteUrl(target_), "--state", state_});
    EXPECT_EQ(run.exit_code, 3) << command << "\n" << run.Describe();
    EXPECT_NE(run.err.find(missing), std::string::npos) << command << "\n" << run.err;
  }
  EXPECT_FALSE(FileExists(missing)) << "looking at the source created it";
}

TEST_F(Cli, SourceThatIsNotADatabaseIsRuntimeFailure) {
  std::string junk = dir_.File("junk.db");
  WriteFile(junk, std::string(4096, 'j'));
  RunResult run = RunPeerlock({"inventory", "--source", SqliteUrl(junk), "--target",
                               SqliteUrl(target_), "--state", state_});
  EXPECT_EQ(run.exit_code, 3) << run.Describe();
  EXPECT_NE(run.err.find(junk), std::string::npos) << run.err;
}

TEST_F(Cli, UnknownTablesNameIsBadInput) {
  RunResult copy = Run({"copy", "--tables", "parent,no_such_table"});
  EXPECT_EQ(copy.exit_code, 2) << copy.Describe();
  EXPECT_NE(copy.err.find("no_such_table"), std::string::npos) << copy.err;
  EXPECT_FALSE(FileExists(target_)) << "a refused copy created the target";

  RunResult verify = Run({"verify", "--tables", "no_such_table"});
  EXPECT_EQ(verify.exit_code, 2) << verify.Describe();
  EXPECT_NE(verify.err.find("no_such_table"), std::string::npos) << verify.err;
}

TEST_F(Cli, UsageErrorsAreBadInput) {
  std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"copy", "--no-such-flag"},
      {"copy", "--if-exists", "sometimes", "--source", SqliteUrl(source_), "--target",
       SqliteUrl(target_)},
      {"copy", "--workers", "0", "--source", SqliteUrl(source_), "--target", SqliteUrl(target_)},
      {"copy", "--state", state_},                                  // no migration
      {"copy", "--source", SqliteUrl(source_), "--state", state_},  // no target
      {"verify", "--plan", dir_.File("p.yaml"), "--source", SqliteUrl(source_), "--state", state_},
      {"report", "--format", "xml", "--source", SqliteUrl(source_), "--target", SqliteUrl(target_),
       "--state", state_},
      {"inventory", "--source", "mysqlx://somewhere/db", "--target", SqliteUrl(target_), "--state",
       state_},
  };
  for (const auto& args : cases) {
    RunResult run = RunPeerlock(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(run.exit_code, 2) << shown << "\n" << run.Describe();
    EXPECT_FALSE(run.err.empty()) << shown;
  }
  EXPECT_FALSE(FileExists(target_));
}

TEST_F(Cli, ReportToAnUnwritablePathIsRuntimeFailure) {
  ASSERT_EQ(Run({"copy"}).exit_code, 0);
  RunResult run = Run({"report", "--format", "md", "--out", dir_.File("no/such/dir/r.md")});
  EXPECT_EQ(run.exit_code, 3) << run.Describe();
  EXPECT_NE(run.err.find(dir_.File("no/such/dir/r.md")), std::string::npos) << run.err;
}

TEST_F(Cli, InitWritesAPlanThatInventoryAccepts) {
  std::string plan = dir_.File("peerlock.yaml");
  RunResult init = RunPeerlock(
      {"init", "--source", SqliteUrl(source_), "--target", SqliteUrl(target_), "--out", plan});
  ASSERT_EQ(init.exit_code, 0) << init.Describe();
  ASSERT_TRUE(FileExists(plan));
  std::string text = ReadFile(plan);
  EXPECT_NE(text.find(SqliteUrl(source_)), std::string::npos) << text;
  EXPECT_NE(text.find(SqliteUrl(target_)), std::string::npos) << text;

  RunResult inventory = RunPlan(plan, {"inventory"});
  EXPECT_EQ(inventory.exit_code, 0) << inventory.Describe();
  EXPECT_NE(inventory.out.find("parent"), std::string::npos) << inventory.out;

  // The plan runs end to end as written.
  RunResult copy = RunPlan(plan, {"copy"});
  EXPECT_EQ(copy.exit_code, 0) << copy.Describe();
  RunResult verify = RunPlan(plan, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();

  // init never overwrites.
  RunResult again = RunPeerlock(
      {"init", "--source", SqliteUrl(source_), "--target", SqliteUrl(target_), "--out", plan});
  EXPECT_EQ(again.exit_code, 2) << again.Describe();
  EXPECT_EQ(ReadFile(plan), text);
}

TEST_F(Cli, InventoryJsonDescribesTablesKeysOrderAndCycles) {
  RunResult run = Run({"inventory", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  json inv = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(inv.is_discarded()) << run.out;

  std::map<std::string, json> tables;
  for (const auto& t : inv["tables"]) tables[t["name"]] = t;
  ASSERT_EQ(tables.size(), 7u) << inv["tables"].dump(2);
  EXPECT_EQ(tables["parent"]["rows"], 2);
  EXPECT_EQ(tables["child"]["rows"], 3);
  EXPECT_EQ(tables["grandchild"]["rows"], 1);
  EXPECT_EQ(tables["emp"]["rows"], 2);
  EXPECT_EQ(tables["loose"]["rows"], 3);
  EXPECT_EQ(tables[kOddTable]["rows"], 1);
  EXPECT_EQ(tables["parent"]["primary_key"], json::array({"id"}));
  EXPECT_EQ(tables["loose"]["primary_key"], json::array());
  EXPECT_EQ(inv["total_rows"], 2 + 3 + 1 + 1 + 2 + 3 + 1);

  // The keyless table, and only it, carries a warning about its missing key.
  for (const auto& [name, t] : tables) {
    bool warned = false;
    for (const auto& w : t["warnings"])
      warned = warned || w.get<std::string>().find("no primary key") != std::string::npos;
    EXPECT_EQ(warned, name == "loose") << name << ": " << t["warnings"].dump();
  }

  // Load order: every table once, parents before children.
  std::vector<std::string> order = inv["load_order"];
  ASSERT_EQ(order.size(), 7u) << inv["load_order"].dump();
  auto pos = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  EXPECT_LT(pos("parent"), pos("child")) << inv["load_order"].dump();
  EXPECT_LT(pos("child"), pos("grandchild")) << inv["load_order"].dump();

  // The dept <-> emp cycle is named, as a cycle and in a warning.
  ASSERT_EQ(inv["cycles"].size(), 1u) << inv["cycles"].dump();
  std::vector<std::string> cycle = inv["cycles"][0];
  std::sort(cycle.begin(), cycle.end());
  EXPECT_EQ(cycle, (std::vector<std::string>{"dept", "emp"}));
  bool cycle_warned = false;
  for (const auto& w : inv["warnings"]) {
    std::string text = w;
    cycle_warned = cycle_warned || (text.find("cycle") != std::string::npos &&
                                    text.find("dept") != std::string::npos &&
                                    text.find("emp") != std::string::npos);
  }
  EXPECT_TRUE(cycle_warned) << inv["warnings"].dump();
}

TEST_F(Cli, ReportInEveryFormatNamesTheTables) {
  ASSERT_EQ(Run({"copy"}).exit_code, 0);
  RunResult verify = Run({"verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.Describe();

  for (const char* format : {"md", "json", "html"}) {
    std::string out = dir_.File(std::string("report.") + format);
    RunResult run = Run({"report", "--format", format, "--out", out});
    ASSERT_EQ(run.exit_code, 0) << format << "\n" << run.Describe();
    std::string text = ReadFile(out);
    for (const char* table : {"parent", "child", "grandchild", "dept", "emp", "loose"})
      EXPECT_NE(text.find(table), std::string::npos) << format << " report lacks " << table;
    // `--out -` gives the same document on stdout.
    RunResult to_stdout = Run({"report", "--format", format, "--out", "-"});
    EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.Describe();
    EXPECT_NE(to_stdout.out.find("grandchild"), std::string::npos) << format;
  }

  // Without --out the report goes under the state directory, and the path is printed.
  RunResult by_default = Run({"report", "--format", "html"});
  ASSERT_EQ(by_default.exit_code, 0) << by_default.Describe();
  std::string prefix = "report written to ";
  ASSERT_EQ(by_default.out.rfind(prefix, 0), 0u) << by_default.out;
  std::string written = by_default.out.substr(prefix.size());
  written.erase(written.find_last_not_of('\n') + 1);
  EXPECT_NE(written.find("/reports/report-"), std::string::npos) << written;
  EXPECT_NE(ReadFile(written).find("<!DOCTYPE html>"), std::string::npos) << written;

  json report = json::parse(ReadFile(dir_.File("report.json")), nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  bool verify_seen = false;
  for (const auto& r : report["runs"]) {
    if (r["kind"] != "verify") continue;
    verify_seen = true;
    EXPECT_EQ(r["status"], "succeeded");
    std::vector<std::string> names;
    for (const auto& t : r["tables"]) names.push_back(t["table"]);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"child", "dept", "emp", "grandchild", "loose",
                                               "parent", kOddTable}));
  }
  EXPECT_TRUE(verify_seen) << report["runs"].dump(2);

  // HTML escapes the odd table name everywhere it shows it.
  std::string html = ReadFile(dir_.File("report.html"));
  EXPECT_NE(html.find("tag &lt;b&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(html.find("tag <b>"), std::string::npos) << "unescaped table name in the HTML report";
}

TEST_F(Cli, AuditVerifyDetectsEditsAndDeletions) {
  ASSERT_EQ(Run({"copy"}).exit_code, 0);
  ASSERT_EQ(Run({"verify"}).exit_code, 0);
  RunResult intact = RunPeerlock({"audit", "verify", "--state", state_});
  ASSERT_EQ(intact.exit_code, 0) << intact.Describe();
  EXPECT_NE(intact.out.find("intact: 4 entries"), std::string::npos) << intact.out;

  // Keep a pristine copy to tamper with twice.
  std::string pristine = ReadFile(state_ + "/state.db");
  std::string head = ReadFile(state_ + "/audit.head");
  {
    Db db(state_ + "/state.db");
    ASSERT_TRUE(db.Exec("UPDATE audit SET detail = '{}' WHERE seq = 2"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult edited = RunPeerlock({"audit", "verify", "--state", state_});
  EXPECT_EQ(edited.exit_code, 1) << edited.Describe();
  EXPECT_NE(edited.out.find("entry 2"), std::string::npos) << edited.out;
  EXPECT_NE(edited.out.find("TAMPERED"), std::string::npos) << edited.out;

  WriteFile(state_ + "/state.db", pristine);
  WriteFile(state_ + "/audit.head", head);
  ASSERT_EQ(RunPeerlock({"audit", "verify", "--state", state_}).exit_code, 0);
  {
    Db db(state_ + "/state.db");
    ASSERT_TRUE(db.Exec("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)"));
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  RunResult truncated = RunPeerlock({"audit", "verify", "--state", state_});
  EXPECT_EQ(truncated.exit_code, 1) << truncated.Describe();
  EXPECT_NE(truncated.out.find("TAMPERED"), std::string::npos) << truncated.out;

  WriteFile(state_ + "/state.db", pristine);
  {
    Db db(state_ + "/state.db");
    ASSERT_TRUE(db.Exec("DELETE FROM audit WHERE seq = 2"));
  }
  RunResult gap = RunPeerlock({"audit", "verify", "--state", state_});
  EXPECT_EQ(gap.exit_code, 1) << gap.Describe();
}

TEST_F(Cli, PasswordFromTheEnvironmentNeverLeaks) {
  const std::string secret = "Pw-9f3c1e7a-never-print-me";
  std::string plan = dir_.File("plan.yaml");
  WriteFile(plan, "source:\n  url: " + SqliteUrl(source_) +
                      "\n  password_env: PEERLOCK_SCENARIO_SECRET\ntarget:\n  url: " +
                      SqliteUrl(target_) +
                      "\n  password_env: PEERLOCK_SCENARIO_SECRET\ncopy:\n  chunk_rows: 1\n");
  EnvList env = {{"PEERLOCK_SCENARIO_SECRET", secret}};
  std::string report_file = dir_.File("report.html");
  std::vector<std::vector<std::string>> commands = {
      {"inventory"},
      {"inventory", "--json"},
      {"-v", "copy"},
      {"-v", "verify", "--json", "--sample", "5"},
      {"verify"},
      {"report", "--format", "md"},
      {"report", "--format", "json"},
      {"report", "--format", "html", "--out", report_file},
      {"audit", "verify"},
  };
  for (auto args : commands) {
    args.insert(args.end(), {"--plan", plan, "--state", state_});
    RunResult run = RunPeerlock(args, env);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(run.exit_code, 0) << shown << "\n" << run.Describe();
    EXPECT_EQ(run.out.find(secret), std::string::npos) << shown << " printed the password";
    EXPECT_EQ(run.err.find(secret), std::string::npos) << shown << " logged the password";
  }
  EXPECT_EQ(ReadFile(report_file).find(secret), std::string::npos);
  EXPECT_EQ(ReadFile(state_ + "/state.db").find(secret), std::string::npos);
  for (const char* file : {"/state.db-wal", "/state.db-journal", "/audit.head"}) {
    if (FileExists(state_ + file)) {
      EXPECT_EQ(ReadFile(state_ + file).find(secret), std::string::npos) << file;
    }
  }
  EXPECT_EQ(ReadFile(target_).find(secret), std::string::npos);

  // Without the variable the command refuses, naming the variable but no value.
  RunResult unset = RunPeerlock({"inventory", "--plan", plan, "--state", state_});
  EXPECT_EQ(unset.exit_code, 2) << unset.Describe();
  EXPECT_NE(unset.err.find("PEERLOCK_SCENARIO_SECRET"), std::string::npos) << unset.err;
}

TEST_F(Cli, VerifyAgainstAMissingTargetTableFindsAProblem) {
  ASSERT_EQ(Run({"copy"}).exit_code, 0);
  {
    Db db(target_);
    ASSERT_TRUE(db.Exec("DROP TABLE grandchild"));
  }
  RunResult run = Run({"verify", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json verdict = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(verdict.is_discarded()) << run.out;
  EXPECT_EQ(verdict["equal"], false);
  for (const auto& t : verdict["tables"]) {
    EXPECT_EQ(t["equal"], t["table"] != "grandchild") << t.dump();
    if (t["table"] == "grandchild") {
      EXPECT_EQ(t["source_rows"], 1);
      EXPECT_TRUE(t.contains("problem")) << t.dump();
    }
  }
}

TEST_F(Cli, CopyIntoANonEmptyTargetIsRefusedUnlessToldOtherwise) {
  ASSERT_EQ(Run({"copy"}).exit_code, 0);
  RunResult refused = Run({"copy"});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("--if-exists replace"), std::string::npos) << refused.err;
  EXPECT_EQ(Db(target_).Int("SELECT count(*) FROM child"), 3);

  RunResult replaced = Run({"copy", "--if-exists", "replace"});
  EXPECT_EQ(replaced.exit_code, 0) << replaced.Describe();
  EXPECT_EQ(Db(target_).Int("SELECT count(*) FROM child"), 3);
  EXPECT_EQ(Run({"verify"}).exit_code, 0);

  // append on a keyless table adds the rows again: verify must notice.
  RunResult appended = Run({"copy", "--if-exists", "append", "--tables", "loose"});
  EXPECT_EQ(appended.exit_code, 0) << appended.Describe();
  EXPECT_EQ(Db(target_).Int("SELECT count(*) FROM loose"), 6);
  RunResult verify = Run({"verify", "--tables", "loose"});
  EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
}

}  // namespace
}  // namespace peerlock::scenario
