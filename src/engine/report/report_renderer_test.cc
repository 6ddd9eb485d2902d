#include "engine/report/report_renderer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/report/report_model.h"
#include "plan/plan.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSource = "sqlite:///data/shop.db";
const std::string kTarget = "postgresql://app:***@db.internal/shop";

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "peerlock-report-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = StateStore::Open(dir_);
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
    migration_ = StateStore::MigrationKey(kSource, kTarget);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  int64_t AddRun(const std::string& kind, const std::string& status, const json& summary,
                 const std::string& migration = "") {
    auto run = store_->StartRun(migration.empty() ? migration_ : migration, kind, kSource, kTarget,
                                json::object());
    EXPECT_TRUE(run);
    if (!run) return 0;
    if (status != "running") {
      EXPECT_TRUE(store_->FinishRun(run->id, status, summary));
    }
    return run->id;
  }
  void AddTable(int64_t run, const std::string& table, const json& result) {
    EXPECT_TRUE(store_->SaveTableResult(run, table, result));
  }
  void AddAudit(int count) {
    for (int i = 0; i < count; ++i)
      ASSERT_TRUE(store_->audit().Append(migration_, "copy.chunk", {{"chunk", i}}));
  }

  // inventory ok, copy failed, copy ok (orders + <script>), verify with 25 differences.
  void RecordMigration() {
    AddRun("inventory", "succeeded",
           {{"tables", 2}, {"rows", 1500}, {"bytes", 4096}, {"warnings", {"no key on <script>"}}});
    AddRun("copy", "failed", {{"error", "connection reset by peer"}});
    int64_t copy = AddRun("copy", "succeeded",
                          {{"tables", 2},
                           {"rows", 1500},
                           {"seconds", 2.5},
                           {"rows_per_second", 600.0},
                           {"resumed", true},
                           {"chunks", 5}});
    ASSERT_TRUE(store_->StepStarted(copy, "copy orders"));
    ASSERT_TRUE(store_->StepFinished(copy, "copy orders", "succeeded", {{"rows", 1000}}));
    AddTable(copy, "orders",
             {{"source_table", "orders"},
              {"target_table", "public.orders"},
              {"rows", 1000},
              {"seconds", 2.0},
              {"chunks", 4}});
    AddTable(copy, "<script>",
             {{"source_table", "<script>"},
              {"target_table", "<script>"},
              {"rows", 500},
              {"seconds", 0.5},
              {"chunks", 1}});
    int64_t verify = AddRun("verify", "differences",
                            {{"equal", false},
                             {"tables", 2},
                             {"differences", 25},
                             {"seconds", 1.0},
                             {"rows_compared", 1500}});
    AddTable(verify, "orders",
             {{"table", "orders"},
              {"source_rows", 1000},
              {"target_rows", 1000},
              {"equal", true},
              {"differences", json::array()}});
    json differences = json::array();
    for (int i = 0; i < 25; ++i) {
      differences.push_back(
          i == 0 ? json{{"kind", "changed"}, {"key", {{"id", 7}}}, {"columns", {"total", "status"}}}
                 : json{{"kind", "missing"}, {"key", {{"id", 100 + i}}}});
    }
    AddTable(verify, "<script>",
             {{"table", "<script>"},
              {"source_rows", 500},
              {"target_rows", 476},
              {"equal", false},
              {"differences", differences}});
    AddAudit(3);
  }

  std::string Render(ReportFormat format, const std::string& migration) {
    auto text = RenderReport(*store_, migration, format);
    EXPECT_TRUE(text) << text.error().ToString();
    return text ? *text : "";
  }
  json RenderJson() {
    json model = json::parse(Render(ReportFormat::kJson, migration_), nullptr, false);
    EXPECT_FALSE(model.is_discarded());
    return model;
  }
  static json Check(const json& model, const std::string& id) {
    for (const auto& item : model["checklist"])
      if (item["id"] == id) return item;
    ADD_FAILURE() << "no checklist item " << id;
    return json::object();
  }

  std::string dir_;
  std::unique_ptr<StateStore> store_;
  std::string migration_;
};

TEST(ReportFormat, ParsesEveryNameAndNamesThemOnError) {
  EXPECT_EQ(ParseReportFormat("md").value(), ReportFormat::kMarkdown);
  EXPECT_EQ(ParseReportFormat("Markdown").value(), ReportFormat::kMarkdown);
  EXPECT_EQ(ParseReportFormat("json").value(), ReportFormat::kJson);
  EXPECT_EQ(ParseReportFormat("HTML").value(), ReportFormat::kHtml);
  auto bad = ParseReportFormat("pdf");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  for (const char* name : {"'pdf'", "md", "markdown", "json", "html"})
    EXPECT_NE(bad.error().message().find(name), std::string::npos) << name;
}

TEST(ReportModel, MeasuresDurationsBetweenTimestamps) {
  EXPECT_DOUBLE_EQ(SecondsBetween("2026-11-25T14:03:07.123Z", "2026-11-25T14:04:08.623Z").value(),
                   61.5);
  EXPECT_DOUBLE_EQ(SecondsBetween("2026-12-31T23:59:59Z", "2027-01-01T00:00:01Z").value(), 2.0);
  EXPECT_FALSE(SecondsBetween("2026-11-25T14:03:07Z", "").has_value());
  EXPECT_FALSE(SecondsBetween("2026-02-30T00:00:00Z", "2026-03-01T00:00:00Z").has_value());
  EXPECT_FALSE(SecondsBetween("yesterday at noon!!", "2026-03-01T00:00:00Z").has_value());
}

TEST_F(ReportTest, MarkdownShowsHeaderTimelineThroughputAndErrors) {
  RecordMigration();
  std::string md = Render(ReportFormat::kMarkdown, migration_);
  EXPECT_NE(md.find("- **Migration:** " + migration_), std::string::npos) << md;
  EXPECT_NE(md.find("- **Source:** " + kSource), std::string::npos);
  EXPECT_NE(md.find("- **Target:** postgresql://app:\\*\\*\\*@db.internal/shop"),
            std::string::npos);
  EXPECT_NE(md.find("| #1 | inventory |"), std::string::npos);
  EXPECT_NE(md.find("| succeeded |\n| #2 | copy |"), std::string::npos);
  EXPECT_NE(md.find("| failed |"), std::string::npos);
  // Per-table throughput: 1000 rows in 2 s.
  EXPECT_NE(md.find("| orders | public.orders | 1000 | 2.0s | 500.0 | 4 |"), std::string::npos);
  EXPECT_NE(md.find("> **Error:** connection reset by peer"), std::string::npos);
  EXPECT_NE(md.find("- run #2 (copy) failed: connection reset by peer"), std::string::npos);
  EXPECT_NE(md.find("- **bytes:** 4096 (4.0 KiB)"), std::string::npos);
  EXPECT_NE(md.find("- **resumed:** yes"), std::string::npos);
  EXPECT_NE(md.find("| copy orders | succeeded |"), std::string::npos);
  // Recorded text never becomes markup.
  EXPECT_NE(md.find("| \\<script\\> | \\<script\\> | 500 |"), std::string::npos);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST_F(ReportTest, MarkdownListsAtMostTwentyDifferencesPerTable) {
  RecordMigration();
  std::string md = Render(ReportFormat::kMarkdown, migration_);
  EXPECT_NE(md.find("| \\<script\\> | 500 | 476 | no | 25 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| orders | 1000 | 1000 | yes | 0 |"), std::string::npos);
  EXPECT_NE(md.find("Differences in \\<script\\> (20 listed of 25):"), std::string::npos);
  EXPECT_NE(md.find("- changed: id=7 (columns: total, status)"), std::string::npos);
  EXPECT_NE(md.find("- missing: id=119\n"), std::string::npos);
  EXPECT_EQ(md.find("id=120"), std::string::npos);
  EXPECT_NE(md.find("- ... and 5 more not listed"), std::string::npos);
}

TEST_F(ReportTest, JsonCarriesRunsTablesChecklistAndAudit) {
  RecordMigration();
  json model = RenderJson();
  EXPECT_EQ(model["migration"], migration_);
  ASSERT_EQ(model["migrations"].size(), 1u);
  EXPECT_EQ(model["migrations"][0]["target"], kTarget);
  ASSERT_EQ(model["runs"].size(), 4u);
  EXPECT_EQ(model["runs"][1]["status"], "failed");
  EXPECT_EQ(model["runs"][1]["error"], "connection reset by peer");
  EXPECT_FALSE(model["runs"][2].contains("error"));
  const json& copy = model["runs"][2]["tables"][0];
  EXPECT_EQ(copy["target_table"], "public.orders");
  EXPECT_EQ(copy["rows"], 1000);
  EXPECT_DOUBLE_EQ(copy["rows_per_second"].get<double>(), 500.0);
  const json& verify = model["runs"][3]["tables"][1];
  EXPECT_EQ(verify["table"], "<script>");
  EXPECT_EQ(verify["difference_count"], 25);
  EXPECT_EQ(verify["differences"].size(), 20u);
  EXPECT_EQ(verify["differences_omitted"], 5);
  EXPECT_EQ(verify["differences"][0]["key"]["id"], 7);
  ASSERT_EQ(model["incidents"].size(), 2u);
  EXPECT_EQ(model["incidents"][1]["message"], "found 25 differences");
  EXPECT_EQ(model["audit"]["entries"], 3);
  EXPECT_EQ(model["audit"]["chain_intact"], true);
  EXPECT_EQ(model["audit"]["shown"][2]["action"], "copy.chunk");
}

TEST_F(ReportTest, ChecklistTicksOnlyWhatRunsProve) {
  RecordMigration();
  json model = RenderJson();
  ASSERT_EQ(model["checklist"].size(), 9u);
  EXPECT_EQ(Check(model, "inventory_completed")["state"], "done");
  EXPECT_EQ(Check(model, "data_copied")["done"], true);
  EXPECT_NE(Check(model, "data_copied")["evidence"].get<std::string>().find("copy run #3"),
            std::string::npos);
  json validation = Check(model, "validation_passed");
  EXPECT_EQ(validation["state"], "not yet");
  EXPECT_NE(validation["evidence"].get<std::string>().find("found 25 differences"),
            std::string::npos);
  for (const char* id :
       {"proof_of_concept_passed", "plan_versioned", "pilot_successful", "cutover_done",
        "monitoring_and_backups_validated", "legacy_decommissioned"})
    EXPECT_EQ(Check(model, id)["state"], "not yet") << id;

  // Only the latest verify counts: an equal one now ticks validation.
  AddRun("verify", "succeeded", {{"equal", true}, {"differences", 0}, {"rows_compared", 1476}});
  model = RenderJson();
  EXPECT_EQ(Check(model, "validation_passed")["state"], "done");
  std::string md = Render(ReportFormat::kMarkdown, migration_);
  EXPECT_NE(md.find("- [x] **validation passed**: done (the latest verify, verify run #5, found "
                    "every table equal (1476 rows compared))"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- [ ] **pilot successful**: not yet"), std::string::npos);
}

TEST_F(ReportTest, HtmlIsSelfContainedAndEscapesEveryString) {
  RecordMigration();
  std::string html = Render(ReportFormat::kHtml, migration_);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;script&gt;</td><td>&lt;script&gt;</td><td>500</td>"),
            std::string::npos);
  EXPECT_NE(html.find("no key on &lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"status bad\">failed</span>"), std::string::npos);
  EXPECT_NE(html.find("<strong>Error:</strong> connection reset by peer"), std::string::npos);
  EXPECT_NE(html.find("<li class=\"done\">"), std::string::npos);
  EXPECT_NE(html.find("<strong>validation passed</strong> <span class=\"status plain\">"
                      "not yet</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<dd>" + kSource + "</dd>"), std::string::npos);
  EXPECT_NE(html.rfind("</html>\n"), std::string::npos);
}

TEST_F(ReportTest, AuditShowsLastFiftyEntriesAndABrokenChain) {
  AddRun("inventory", "succeeded", {{"tables", 1}});
  AddAudit(60);
  json model = RenderJson();
  EXPECT_EQ(model["audit"]["entries"], 60);
  ASSERT_EQ(model["audit"]["shown"].size(), 50u);
  EXPECT_EQ(model["audit"]["shown"][0]["seq"], 11);
  EXPECT_EQ(model["audit"]["omitted"], 10);
  std::string md = Render(ReportFormat::kMarkdown, migration_);
  EXPECT_NE(md.find("- **Hash chain:** intact (60 entries checked)"), std::string::npos);
  EXPECT_NE(md.find("The last 50 entries (10 earlier ones not shown):"), std::string::npos);

  fs::remove(fs::path(dir_) / "audit.head");
  model = RenderJson();
  EXPECT_EQ(model["audit"]["chain_intact"], false);
  ASSERT_EQ(model["audit"]["problems"].size(), 1u);
  md = Render(ReportFormat::kMarkdown, migration_);
  EXPECT_NE(md.find("- **Hash chain:** NOT intact"), std::string::npos);
  EXPECT_NE(md.find("- audit.head is missing"), std::string::npos);
}

TEST_F(ReportTest, MissingAndMistypedFieldsRenderAsMissing) {
  AddRun("copy", "running", nullptr);
  int64_t odd = AddRun("verify", "failed", {{"equal", "maybe"}, {"error", {{"code", 7}}}});
  AddTable(odd, "weird|name", {{"source_rows", "many"}, {"differences", 3}});
  AddTable(odd, "empty", nullptr);
  for (auto format : {ReportFormat::kMarkdown, ReportFormat::kJson, ReportFormat::kHtml})
    EXPECT_FALSE(Render(format, migration_).empty());
  std::string md = Render(ReportFormat::kMarkdown, migration_);
  EXPECT_NE(md.find("| not finished | n/a | running |"), std::string::npos) << md;
  EXPECT_NE(md.find("| weird\\|name | n/a | n/a | n/a | 3 |"), std::string::npos);
  EXPECT_NE(md.find("| empty | n/a | n/a | n/a | 0 |"), std::string::npos);
  EXPECT_NE(md.find("> **Error:** {\"code\":7}"), std::string::npos);
  json model = RenderJson();
  EXPECT_TRUE(model["runs"][0]["duration_seconds"].is_null());
  EXPECT_EQ(model["runs"][1]["tables"][0]["differences_omitted"], 3);
  EXPECT_NE(Check(model, "validation_passed")["evidence"].get<std::string>().find(
                "is failed and recorded no result"),
            std::string::npos);
}

TEST_F(ReportTest, ReportsOneMigrationOrEvery) {
  AddRun("inventory", "succeeded", {{"tables", 1}});
  std::string other = StateStore::MigrationKey("sqlite:///other.db", kTarget);
  AddRun("copy", "succeeded", {{"rows", 9}}, other);
  json one = RenderJson();
  EXPECT_EQ(one["runs"].size(), 1u);
  EXPECT_EQ(one["checklist"].size(), 9u);

  auto all = RenderReport(*store_, "", ReportFormat::kJson);
  ASSERT_TRUE(all);
  json model = json::parse(*all);
  EXPECT_EQ(model["migrations"].size(), 2u);
  EXPECT_EQ(model["runs"].size(), 2u);
  EXPECT_EQ(model["checklist"].size(), 18u);
  std::string md = Render(ReportFormat::kMarkdown, "");
  EXPECT_NE(md.find("### Migration " + other), std::string::npos);
  EXPECT_NE(md.find("- **Migrations:** 2"), std::string::npos);
}

// ROADMAP phase 8: the report lists the accounts to rotate; a password in the plan's URL is
// due at once and never printed.
TEST_F(ReportTest, CredentialRotationListsTheServerSidesWithoutTheirPasswords) {
  AddRun("cutover", "succeeded", json::object());
  Plan plan = PlanFromUrls("postgresql://app:s3cret-pw@db.internal/shop", "sqlite:///new.db");
  auto md = RenderReport(*store_, ReportInput{.migration = migration_, .plan = &plan},
                         ReportFormat::kMarkdown);
  ASSERT_TRUE(md) << md.error().ToString();
  EXPECT_NE(md->find("## Credential rotation"), std::string::npos) << *md;
  EXPECT_NE(
      md->find(
          "| source | postgresql://app:\\*\\*\\*@db.internal/shop | the URL on the command line | "
          "rotate |"),
      std::string::npos)
      << *md;
  EXPECT_EQ(md->find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(md->find("| target |"), std::string::npos) << "a SQLite file has no password";
  // Without a plan (a report of a state directory alone) there is nothing to say.
  EXPECT_EQ(Render(ReportFormat::kMarkdown, migration_).find("Credential rotation"),
            std::string::npos);
}

TEST_F(ReportTest, NothingRecordedIsNotFound) {
  auto report = RenderReport(*store_, migration_, ReportFormat::kMarkdown);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(report.error().message().find(migration_), std::string::npos);
}

}  // namespace
}  // namespace peerlock
