// The HTML report must look right in a real browser: it is rendered by headless Chromium from
// Debian's packages (scripts/install-deps installs it), screenshotted, and its DOM checked.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "base/process.h"
#include "engine/report/report_renderer.h"
#include "engine/systems/systems_inventory.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSource = "sqlite:///data/shop.db";
const std::string kTarget = "sqlite:///data/new.db";

class ReportInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "peerlock-chromium-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = StateStore::Open((dir_ / "state").string());
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
    key_ = StateStore::MigrationKey(kSource, kTarget);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void AddRun(const std::string& kind, const std::string& status, const json& summary) {
    auto run = store_->StartRun(key_, kind, kSource, kTarget, json::object());
    ASSERT_TRUE(run);
    ASSERT_TRUE(store_->FinishRun(run->id, status, summary));
  }
  // Runs `chromium` headless on `args` plus the page; its stdout.
  std::string Chromium(std::vector<std::string> args, const fs::path& page) {
    std::vector<std::string> argv = {"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                     "--user-data-dir=" + (dir_ / "profile").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("file://" + page.string());
    auto result = RunProcess(argv);
    EXPECT_TRUE(result.has_value()) << "chromium is not installed: run scripts/install-deps";
    if (!result) return "";
    EXPECT_EQ(result->exit_code, 0) << result->err;
    return result->out;
  }

  fs::path dir_;
  std::unique_ptr<StateStore> store_;
  std::string key_;
};

TEST_F(ReportInChromium, RendersEverySectionWithDiagramAndCharts) {
  auto plan = ParsePlan("source: {url: " + kSource + "}\ntarget: {url: " + kTarget +
                            "}\nobjectives: {max_downtime: 30s, max_lag: 5s}\n"
                            "systems:\n  - {name: files, kind: storage, path: " +
                            dir_.string() +
                            "}\n"
                            "waves:\n  - {name: pilot, tables: [orders], approve: true}\n",
                        (dir_ / "peerlock.yaml").string());
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  auto source = Endpoint::Parse(kSource);
  ASSERT_TRUE(source.has_value());
  Table orders, customers;
  orders.name = "orders";
  orders.foreign_keys.push_back({.ref_table = "customers"});
  customers.name = "customers";
  DependencyGraph tables = BuildDependencyGraph({&orders, &customers});
  SystemsInventory systems = InventorySystems(*plan, tables, *source, true, *source, 5);

  AddRun("inventory", "succeeded",
         {{"tables", 2},
          {"load_order", tables.load_order},
          {"warnings", {"orders: no primary key"}},
          {"systems", SystemsInventoryToJson(systems)},
          {"diagram_svg", systems.svg}});
  AddRun("copy", "failed", {{"error", "disk full on the target"}});
  AddRun("sync", "succeeded", {{"lag_seconds", 2.5}});
  AddRun("sync", "succeeded", {{"lag_seconds", 7.0}});
  AddRun("cutover", "succeeded", {{"freeze_seconds", 42.0}});

  auto html =
      RenderReport(*store_, ReportInput{.migration = key_, .plan = &*plan}, ReportFormat::kHtml);
  ASSERT_TRUE(html) << html.error().ToString();
  fs::path page = dir_ / "report.html";
  std::ofstream(page) << *html;

  std::string dom = Chromium({"--dump-dom"}, page);
  for (const char* id :
       {"section-plan", "section-inventory", "figure-dependencies", "section-timeline",
        "section-incidents", "section-checklist", "section-lag-and-freeze", "figure-lag",
        "figure-freeze", "section-runs", "section-lessons-learned", "section-audit-trail"}) {
    EXPECT_NE(dom.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;
  }
  // The browser parsed the inline SVGs as SVG (its DOM serialises them back as <svg elements).
  EXPECT_GE(std::count(dom.begin(), dom.end(), '\n'), 50);
  EXPECT_NE(dom.find("<svg"), std::string::npos);
  EXPECT_NE(dom.find("class=\"chart bar\""), std::string::npos);
  EXPECT_NE(dom.find("class=\"chart line\""), std::string::npos);
  EXPECT_NE(dom.find("files (up)"), std::string::npos);  // the diagram's health labels
  EXPECT_NE(dom.find("disk full on the target"), std::string::npos);
  // Lessons are prefilled from what went wrong: the freeze over max_downtime, the lag over
  // max_lag, the failed copy, the unticked checklist.
  EXPECT_NE(dom.find("downtime at cutover #5 was 42.000s, over the objective"), std::string::npos);
  EXPECT_NE(dom.find("lag at"), std::string::npos);
  EXPECT_NE(dom.find("not done: pilot successful"), std::string::npos);

  fs::path shot = dir_ / "report.png";
  Chromium({"--screenshot=" + shot.string(), "--window-size=1200,3000"}, page);
  std::ifstream png(shot, std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  EXPECT_EQ(magic, std::string("\x89PNG\r\n\x1a\n", 8)) << "no screenshot at " << shot;
  EXPECT_GT(fs::file_size(shot), 20000u);  // a blank page compresses to far less
}

}  // namespace
}  // namespace peerlock
