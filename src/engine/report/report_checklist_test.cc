#include "engine/report/report_checklist.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

using nlohmann::json;

json RunOf(int id, const std::string& kind, const std::string& status, json summary) {
  return {{"id", id},         {"kind", kind},       {"migration", "m"},
          {"status", status}, {"summary", summary}, {"finished_at", "2026-11-30T10:00:00.000Z"}};
}

json Item(const json& checklist, const std::string& id) {
  for (const auto& item : checklist) {
    if (item["id"] == id) return item;
  }
  ADD_FAILURE() << "no checklist item " << id;
  return json::object();
}

TEST(ReportChecklist, RefusesToTickWithoutItsEvidence) {
  // Runs that succeeded but do not prove the item: a pilot wave that found differences, a
  // sample that was not verified, a restore drill without monitoring.
  json runs = json::array({RunOf(1, "wave", "succeeded", {{"pilot", true}, {"equal", false}}),
                           RunOf(2, "wave", "succeeded", {{"pilot", false}, {"equal", true}}),
                           RunOf(3, "sample", "succeeded", {{"rows", 10}}),
                           RunOf(4, "restore-drill", "succeeded",
                                 {{"restore_verified", true}, {"monitoring_ok", false}}),
                           RunOf(5, "cutover", "failed", {{"evidence", "smoke_test exited 1"}})});
  json checklist = BuildChecklist("m", runs);
  for (const char* id :
       {"pilot_successful", "proof_of_concept_passed", "monitoring_and_backups_validated",
        "cutover_done", "plan_versioned", "legacy_decommissioned"}) {
    EXPECT_EQ(Item(checklist, id)["done"], false) << id;
  }
  std::string cutover = Item(checklist, "cutover_done")["evidence"];
  EXPECT_NE(cutover.find("cutover run #5, is failed (smoke_test exited 1)"), std::string::npos)
      << cutover;
  std::string plan = Item(checklist, "plan_versioned")["evidence"];
  EXPECT_NE(plan.find("no plan-version run is recorded; commit the plan file"), std::string::npos)
      << plan;
}

TEST(ReportChecklist, TicksFromEvidenceAndShowsIt) {
  json runs =
      json::array({RunOf(1, "wave", "succeeded", {{"pilot", true}, {"equal", true}}),
                   RunOf(2, "sample", "succeeded", {{"equal", true}}),
                   RunOf(3, "plan-version", "succeeded",
                         {{"versioned", true}, {"evidence", "peerlock.yaml is committed (abc)"}}),
                   RunOf(4, "cutover", "succeeded", json::object()),
                   RunOf(5, "restore-drill", "succeeded",
                         {{"restore_verified", true}, {"monitoring_ok", true}}),
                   RunOf(6, "decommission", "succeeded", json::object())});
  json checklist = BuildChecklist("m", runs);
  for (const auto& item : checklist) {
    if (item["id"] == "inventory_completed" || item["id"] == "data_copied" ||
        item["id"] == "validation_passed")
      continue;
    EXPECT_EQ(item["done"], true) << item.dump();
  }
  EXPECT_EQ(Item(checklist, "plan_versioned")["evidence"],
            "plan-version run #3 succeeded at 2026-11-30T10:00:00.000Z: peerlock.yaml is "
            "committed (abc)");
}

TEST(ReportChecklist, APlanEditedAfterItsCheckIsNoLongerVersioned) {
  json runs = json::array({RunOf(1, "plan-version", "succeeded", {{"versioned", true}}),
                           RunOf(2, "plan-version", "failed",
                                 {{"versioned", false}, {"evidence", "changed since commit"}})});
  json item = Item(BuildChecklist("m", runs), "plan_versioned");
  EXPECT_EQ(item["done"], false);
  EXPECT_NE(item["evidence"].get<std::string>().find("changed since commit"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
