#include "engine/check/credential_rotation.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

using nlohmann::json;

json RunOf(int id, const std::string& kind, const std::string& status, const std::string& at) {
  return {{"id", id},         {"migration", "m"}, {"kind", kind},
          {"status", status}, {"started_at", at}, {"finished_at", at}};
}

CredentialFacts Side(const std::string& side, const std::string& changed_at = "") {
  return CredentialFacts{.side = side,
                         .who = "postgresql://app@db:5432/x",
                         .secret = "the file /etc/pw",
                         .changed_at = changed_at};
}

constexpr char kNow[] = "2026-12-01T12:00:00.000Z";
constexpr double k90Days = 90 * 86400;

TEST(CredentialReminders, NothingIsDueBeforeTheCutover) {
  json runs = json::array({RunOf(1, "copy", "succeeded", "2026-11-30T10:00:00.000Z"),
                           RunOf(2, "cutover", "failed", "2026-11-30T11:00:00.000Z")});
  json r = CredentialReminders({Side("source")}, runs, "m", std::nullopt, kNow);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0]["due"].get<bool>());
  EXPECT_EQ(r[0]["reason"], "rotate it once the cutover is done");
}

TEST(CredentialReminders, ASucceededCutoverMakesEveryUnchangedSecretDue) {
  json runs = json::array({RunOf(3, "cutover", "succeeded", "2026-11-30T11:00:00.000Z")});
  json r = CredentialReminders(
      {Side("source", "2026-11-01T00:00:00.000Z"), Side("target", "2026-11-30T12:00:00.000Z")},
      runs, "m", std::nullopt, kNow);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0]["due"].get<bool>());
  EXPECT_NE(r[0]["reason"].get<std::string>().find("cutover of 2026-11-30T11:00:00.000Z is done"),
            std::string::npos)
      << r[0]["reason"];
  // Changed after the cutover: rotated already.
  EXPECT_FALSE(r[1]["due"].get<bool>()) << r[1]["reason"];
  EXPECT_NE(r[1]["reason"].get<std::string>().find("after the cutover"), std::string::npos);
}

TEST(CredentialReminders, ARollbackAfterTheCutoverMakesTheSourceLiveAgain) {
  json runs = json::array({RunOf(3, "cutover", "succeeded", "2026-11-30T11:00:00.000Z"),
                           RunOf(4, "rollback", "succeeded", "2026-11-30T11:30:00.000Z"),
                           RunOf(5, "cutover", "succeeded", "2026-11-30T13:00:00.000Z"),
                           RunOf(6, "rollback", "succeeded", "2026-11-30T14:00:00.000Z")});
  json r = CredentialReminders({Side("source")}, runs, "m", std::nullopt, kNow);
  EXPECT_FALSE(r[0]["due"].get<bool>()) << r[0]["reason"];
  // Another migration's cutover does not count.
  runs.push_back(RunOf(7, "cutover", "succeeded", "2026-11-30T15:00:00.000Z"));
  runs.back()["migration"] = "other";
  EXPECT_FALSE(
      CredentialReminders({Side("source")}, runs, "m", std::nullopt, kNow)[0]["due"].get<bool>());
}

TEST(CredentialReminders, ASecretOlderThanTheMaximumAgeIsDue) {
  json none = json::array();
  json old = CredentialReminders({Side("target", "2026-08-01T00:00:00.000Z")}, none, "m", k90Days,
                                 kNow)[0];
  EXPECT_TRUE(old["due"].get<bool>());
  EXPECT_NE(old["reason"].get<std::string>().find("unchanged for 122 days, over the plan's "
                                                  "credential_max_age of 90 days"),
            std::string::npos)
      << old["reason"];
  json fresh = CredentialReminders({Side("target", "2026-11-01T00:00:00.000Z")}, none, "m", k90Days,
                                   kNow)[0];
  EXPECT_FALSE(fresh["due"].get<bool>()) << fresh["reason"];
}

TEST(CredentialReminders, APasswordInThePlanIsDueAtOnce) {
  CredentialFacts in_url = Side("source");
  in_url.secret = "the plan's URL";
  in_url.in_plan_url = true;
  json r = CredentialReminders({in_url}, json::array(), "m", std::nullopt, kNow)[0];
  EXPECT_TRUE(r["due"].get<bool>());
  EXPECT_NE(r["reason"].get<std::string>().find("written in clear in the URL"), std::string::npos);
  EXPECT_NE(CredentialRemindersText(json::array({r})).find("[rotate] source"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
