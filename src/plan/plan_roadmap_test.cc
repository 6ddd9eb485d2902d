#include <gtest/gtest.h>

#include "plan/plan.h"
#include "plan/rollback_criteria.h"

namespace peerlock {
namespace {

constexpr char kFile[] = "/p/peerlock.yaml";
constexpr char kEndpoints[] = "source:\n  url: sqlite:///a.db\ntarget:\n  url: sqlite:///b.db\n";

// The issue's example plus every optional key: it must parse as written.
constexpr char kRoadmap[] = R"yaml(source: {url: sqlite:///a.db}
target: {url: sqlite:///b.db}
objectives:
  max_downtime: 30s
  max_lag: 5s
  credential_max_age: 90d
  queries:
    - {name: orders_by_customer, sql: "SELECT * FROM orders WHERE customer_id = 7", p95: 20ms}
    - {name: count, sql: "SELECT count(*) FROM orders", p50: 5ms, p95: 1s}
rollback: {when: ["smoke_test fails", "downtime exceeds max_downtime"], within: 2h}
owners: {db: data-team, web: web-team, pilot: ops}
systems:
  - {name: web, kind: service, check: "http://10.0.0.5/health", depends_on: [api]}
  - {name: api, kind: service, check: "tcp://10.0.0.6:8080", depends_on: [source]}
  - {name: uploads, kind: storage, path: /srv/uploads}
  - {name: payments, kind: integration, check: "https://pay.example/ping"}
waves:
  - {name: reference, tables: [countries, currencies]}
  - {name: pilot, tables: [customers, orders], where: "region = 'nl'", approve: true}
  - {name: rest, tables: [customers, orders], where: "region <> 'nl'", systems: [web, api]}
hooks: {switch_traffic: ./switch.sh, smoke_test: {run: ./smoke.sh, timeout: 10s}, timeout: 60s}
schedule:
  - {name: pilot-night, start: "2026-12-01T02:00:00Z", end: "2026-12-01T04:00:00+01:00", waves: [pilot]}
  - {name: final, start: "2026-12-08T02:00:00Z", duration: 2h}
)yaml";

void ExpectError(const std::string& yaml, int line, int column, const std::string& message,
                 const std::string& hint = "") {
  auto plan = ParsePlan(yaml, kFile);
  ASSERT_FALSE(plan.has_value()) << "parsed:\n" << yaml;
  const Error& error = plan.error();
  EXPECT_EQ(error.code(), ErrorCode::kPlan);
  std::string prefix =
      std::string(kFile) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  EXPECT_EQ(error.message().substr(0, prefix.size()), prefix) << error.message();
  EXPECT_NE(error.message().find(message), std::string::npos) << error.message();
  EXPECT_FALSE(error.hint().empty()) << error.message();
  EXPECT_NE(error.hint().find(hint), std::string::npos) << error.hint();
}

TEST(PlanRoadmap, ReadsEverySection) {
  auto plan = ParsePlan(kRoadmap, kFile);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->objectives.max_downtime_seconds, 30);
  EXPECT_EQ(plan->objectives.max_lag_seconds, 5);
  EXPECT_EQ(plan->objectives.credential_max_age_seconds, 90 * 86400);
  ASSERT_EQ(plan->objectives.queries.size(), 2u);
  EXPECT_EQ(plan->objectives.queries[0].name, "orders_by_customer");
  EXPECT_DOUBLE_EQ(*plan->objectives.queries[0].p95_seconds, 0.02);
  EXPECT_FALSE(plan->objectives.queries[0].p50_seconds);
  EXPECT_DOUBLE_EQ(*plan->objectives.queries[1].p50_seconds, 0.005);
  EXPECT_EQ(plan->rollback.when.size(), 2u);
  EXPECT_EQ(plan->rollback.within_seconds, 7200);

  ASSERT_EQ(plan->systems.size(), 4u);
  const SystemSpec* web = plan->FindSystem("web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->kind, SystemKind::kService);
  EXPECT_EQ(web->depends_on, std::vector<std::string>{"api"});
  EXPECT_EQ(web->owner, "web-team");
  EXPECT_EQ(plan->FindSystem("uploads")->kind, SystemKind::kStorage);
  EXPECT_EQ(plan->FindSystem("uploads")->path, "/srv/uploads");
  EXPECT_EQ(plan->FindSystem("payments")->kind, SystemKind::kIntegration);

  ASSERT_EQ(plan->waves.size(), 3u);
  EXPECT_EQ(plan->waves[1].name, "pilot");
  EXPECT_TRUE(plan->waves[1].approve);
  EXPECT_FALSE(plan->waves[0].approve);
  EXPECT_EQ(plan->waves[1].where, "region = 'nl'");
  EXPECT_EQ(plan->waves[1].owner, "ops");
  EXPECT_EQ(plan->waves[2].systems, (std::vector<std::string>{"web", "api"}));

  ASSERT_EQ(plan->hooks.size(), 2u);
  EXPECT_EQ(plan->FindHook("switch_traffic")->timeout_seconds, 60);  // the section's default
  EXPECT_EQ(plan->FindHook("smoke_test")->timeout_seconds, 10);      // its own
  EXPECT_EQ(plan->FindHook("smoke_test")->command, "./smoke.sh");

  ASSERT_EQ(plan->schedule.size(), 2u);
  EXPECT_EQ(plan->schedule[0].end_epoch - plan->schedule[0].start_epoch, 3600);  // +01:00
  EXPECT_EQ(plan->schedule[1].end_epoch - plan->schedule[1].start_epoch, 7200);
  EXPECT_TRUE(plan->schedule[1].end.empty());
}

TEST(PlanRoadmap, SectionsAreOptional) {
  auto plan = ParsePlan(kEndpoints, kFile);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_FALSE(plan->objectives.max_downtime_seconds);
  EXPECT_TRUE(plan->systems.empty());
  EXPECT_TRUE(plan->waves.empty());
}

TEST(PlanRoadmap, ARollbackCriterionOnDowntimeNeedsMaxDowntime) {
  ExpectError(std::string(kEndpoints) + "rollback: {when: [downtime exceeds max_downtime]}\n", 5,
              11, "objectives has no max_downtime", "max_downtime: 30s");
  auto plan = ParsePlan(std::string(kEndpoints) +
                            "objectives: {max_downtime: 30s}\n"
                            "rollback: {when: [Downtime exceeds max-downtime, CEO says so]}\n",
                        kFile);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_TRUE(RollsBackOn(plan->rollback.when, RollbackCriterion::kDowntimeExceedsMax));
  EXPECT_FALSE(RollsBackOn(plan->rollback.when, RollbackCriterion::kSmokeTestFails));
  EXPECT_EQ(CriteriaForPeople(plan->rollback.when), std::vector<std::string>{"CEO says so"});
  EXPECT_EQ(ClassifyRollbackCriterion(" smoke_test  FAILS "), RollbackCriterion::kSmokeTestFails);
}

TEST(PlanRoadmap, RejectsMalformedObjectives) {
  std::string head = std::string(kEndpoints) + "objectives:\n";
  ExpectError(head + "  max_downtime: soon\n", 6, 17, "max_downtime is 'soon'", "units");
  ExpectError(head + "  max_lag: -5s\n", 6, 12, "max_lag is '-5s'");
  ExpectError(head + "  credential_max_age: 3 months\n", 6, 23, "credential_max_age is '3 months'",
              "e.g. 90d");
  ExpectError(head + "  max_downtme: 30s\n", 6, 3, "unknown key", "did you mean 'max_downtime'?");
  ExpectError(head + "  queries: {a: 1}\n", 6, 12, "queries is a map");
  ExpectError(head + "  queries:\n    - {name: q, sql: \"SELECT 1\"}\n", 7, 7,
              "has no latency target", "p95");
  ExpectError(head + "  queries:\n    - {name: q, p95: 1ms}\n", 7, 7, "has no sql");
  ExpectError(head + "  queries:\n    - {name: q, sql: x, p95: fast}\n", 7, 30, "p95 is 'fast'");
  ExpectError(head +
                  "  queries:\n    - {name: q, sql: x, p95: 1ms}\n    - {name: q, sql: y, "
                  "p95: 1ms}\n",
              8, 7, "query 'q' appears twice");
}

TEST(PlanRoadmap, RejectsMalformedRollbackAndHooks) {
  ExpectError(std::string(kEndpoints) + "rollback: {within: 1h}\n", 5, 11, "no criteria", "when");
  ExpectError(std::string(kEndpoints) + "rollback: {when: [x], within: later}\n", 5, 31,
              "within is 'later'");
  ExpectError(std::string(kEndpoints) + "hooks: {swich_traffic: ./s.sh}\n", 5, 9,
              "unknown key 'swich_traffic'", "did you mean 'switch_traffic'?");
  ExpectError(std::string(kEndpoints) + "hooks: {smoke_test: {timeout: 5s}}\n", 5, 21,
              "has no run");
  ExpectError(std::string(kEndpoints) + "hooks: {smoke_test: ./s.sh, timeout: forever}\n", 5, 38,
              "timeout is 'forever'");
}

TEST(PlanRoadmap, RejectsMalformedSystems) {
  std::string head = std::string(kEndpoints) + "systems:\n";
  ExpectError(head + "  - {name: web, kind: servce, check: \"http://a/\"}\n", 6, 23,
              "kind is 'servce'", "did you mean 'service'?");
  ExpectError(head + "  - {name: web, kind: service}\n", 6, 5, "has no check", "tcp://");
  ExpectError(head + "  - {name: web, kind: service, check: \"ftp://a/\"}\n", 6, 39,
              "check is 'ftp://a/'", "tcp needs the port");
  ExpectError(head + "  - {name: db1, kind: service, check: \"tcp://a\"}\n", 6, 39,
              "check is 'tcp://a'");
  ExpectError(head + "  - {name: files, kind: storage}\n", 6, 5, "storage without a path");
  ExpectError(head + "  - {name: files, kind: storage, path: /x, check: \"http://a/\"}\n", 6, 44,
              "storage but has a check");
  ExpectError(head + "  - {name: web, kind: service, check: \"http://a/\", path: /x}\n", 6, 52,
              "has a path");
  ExpectError(head + "  - {name: source, kind: service, check: \"http://a/\"}\n", 6, 12,
              "a system is named 'source'", "already the systems");
  ExpectError(head + "  - {name: \"w b\", kind: service, check: \"http://a/\"}\n", 6, 12,
              "name is 'w b'");
  ExpectError(head +
                  "  - {name: w, kind: service, check: \"http://a/\"}\n"
                  "  - {name: w, kind: service, check: \"http://b/\"}\n",
              7, 5, "system 'w' appears twice (first on line 6)");
  ExpectError(head + "  - {kind: service, check: \"http://a/\"}\n", 6, 5, "has no name");
  ExpectError(std::string(kEndpoints) + "systems: {web: 1}\n", 5, 10, "systems is a map");
}

TEST(PlanRoadmap, DependsOnMustNameASystem) {
  std::string head = std::string(kEndpoints) + "systems:\n";
  // The error points at the name and lists every valid one, the databases included.
  ExpectError(head + "  - {name: web, kind: service, check: \"http://a/\", depends_on: [sourc]}\n",
              6, 65, "system 'web' depends_on names 'sourc'", "did you mean 'source'?");
  auto plan = ParsePlan(head +
                            "  - {name: web, kind: service, check: \"http://a/\", "
                            "depends_on: [queue]}\n",
                        kFile);
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().message().find("expected one of 'source', 'target' or 'web'"),
            std::string::npos)
      << plan.error().message();
  ExpectError(head + "  - {name: web, kind: service, check: \"http://a/\", depends_on: web}\n", 6,
              64, "depends on itself");
  // A later system can be named before it is defined.
  EXPECT_TRUE(ParsePlan(head + "  - {name: web, kind: service, check: \"http://a/\", "
                               "depends_on: [api, target]}\n"
                               "  - {name: api, kind: service, check: \"tcp://a:1\"}\n",
                        kFile)
                  .has_value());
}

TEST(PlanRoadmap, RejectsMalformedWaves) {
  std::string head = std::string(kEndpoints) + "waves:\n";
  ExpectError(head + "  - {tables: [a]}\n", 6, 5, "has no name");
  ExpectError(head + "  - {name: w}\n", 6, 5, "wave 'w' moves nothing");
  ExpectError(head + "  - {name: w, systems: [x]}\n", 6, 25, "wave 'w' systems names 'x'");
  ExpectError(head + "  - {name: w, tables: [a], approve: maybe}\n", 6, 37, "approve is 'maybe'");
  ExpectError(head + "  - {name: w, where: \"a = 1\", systems: [source]}\n", 6, 5,
              "has a row filter but no tables");
  ExpectError(head + "  - {name: w, tables: [a]}\n  - {name: w, tables: [b]}\n", 7, 5,
              "wave 'w' appears twice");
  ExpectError(head + "  - {name: w1, tables: [a, b]}\n  - {name: w2, tables: [b]}\n", 7, 5,
              "table 'b' is in wave 'w1' and in 'w2'", "where");
  ExpectError(head + "  - {name: w, tables: [a], wher: x}\n", 6, 28, "unknown key 'wher'",
              "did you mean 'where'?");
}

TEST(PlanRoadmap, RejectsMalformedOwnersAndSchedule) {
  ExpectError(std::string(kEndpoints) + "owners: {web: team}\n", 5, 10,
              "owners names 'web', which the plan does not define");
  ExpectError(std::string(kEndpoints) + "owners: {db: [a, b]}\n", 5, 14, "owners.db is a list");
  std::string head = std::string(kEndpoints) + "schedule:\n";
  ExpectError(head + "  - {name: n, start: \"2026-12-01 02:00\", duration: 1h}\n", 6, 22,
              "start is '2026-12-01 02:00'", "zone");
  ExpectError(head + "  - {name: n, start: \"2026-12-01T02:00Z\", end: \"2026-12-01T01:00Z\"}\n", 6,
              48, "ends before it starts");
  ExpectError(head + "  - {name: n, start: \"2026-12-01T02:00Z\"}\n", 6, 5,
              "has no end or duration");
  ExpectError(head +
                  "  - {name: n, start: \"2026-12-01T02:00Z\", end: \"2026-12-01T03:00Z\", "
                  "duration: 1h}\n",
              6, 69, "has both end and duration");
  ExpectError(head + "  - {name: n, start: \"2026-12-01T02:00Z\", duration: 1h, waves: [x]}\n", 6,
              5, "window 'n' waves names 'x'");
  ExpectError(head + "  - {name: n, start: \"2026-02-30T02:00Z\", duration: 1h}\n", 6, 22,
              "start is '2026-02-30T02:00Z'");
}

TEST(PlanRoadmap, ParsesProbeUrlsAndTimes) {
  auto http = ParseProbeUrl("http://10.0.0.5/health");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->port, 80);
  EXPECT_EQ(http->path, "/health");
  EXPECT_EQ(ParseProbeUrl("https://pay.example")->port, 443);
  EXPECT_EQ(ParseProbeUrl("tcp://[::1]:5432")->host, "::1");
  EXPECT_EQ(ParseProbeUrl("tcp://h:8080")->port, 8080);
  EXPECT_FALSE(ParseProbeUrl("tcp://h"));
  EXPECT_FALSE(ParseProbeUrl("tcp://h:70000"));
  EXPECT_FALSE(ParseProbeUrl("http://"));
  EXPECT_FALSE(ParseProbeUrl("10.0.0.5:80"));
  EXPECT_EQ(ParseIsoTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoTime("1970-01-01T01:00+01:00"), 0);
  EXPECT_FALSE(ParseIsoTime("1970-01-01T00:00:00"));
  EXPECT_EQ(FormatSeconds(0.02), "20ms");
  EXPECT_EQ(FormatSeconds(90), "90s");
}

}  // namespace
}  // namespace peerlock
