#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "plan/plan.h"

namespace peerlock {
namespace {

constexpr char kFile[] = "/p/peerlock.yaml";

constexpr char kFullPlan[] = R"yaml(version: 1
source:
  url: sqlite:///abs/legacy.db
  password_env: PGPASSWORD
target:
  url: sqlite://new.db
  password_file: /run/secrets/pw
tables:
  include: ["*"]
  exclude: ["tmp_*"]
transform:
  customers:
    rename: clients
    filter: "active = 1"
    columns:
      email: {mask: hash}
      ssn: {mask: fixed, value: "XXX-XX"}
      notes: {mask: null}
      phone: {drop: true}
      full_name: {rename: name}
      price: {cast: "decimal(10,2)"}
copy:
  workers: 4
  chunk_rows: 1000
  batch_rows: 512
)yaml";

Error ParseError(const std::string& yaml) {
  auto plan = ParsePlan(yaml, kFile);
  EXPECT_FALSE(plan.has_value()) << "parsed:\n" << yaml;
  if (plan) return Error(ErrorCode::kInternal, "parsed");
  return plan.error();
}

// The error is a plan error at `line`:`column` whose message and hint contain the given texts.
void ExpectError(const std::string& yaml, int line, int column, const std::string& message,
                 const std::string& hint = "") {
  Error error = ParseError(yaml);
  EXPECT_EQ(error.code(), ErrorCode::kPlan);
  std::string prefix =
      std::string(kFile) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  EXPECT_EQ(error.message().substr(0, prefix.size()), prefix) << error.message();
  EXPECT_NE(error.message().find(message), std::string::npos) << error.message();
  EXPECT_NE(error.message().find(", expected "), std::string::npos) << error.message();
  EXPECT_FALSE(error.hint().empty()) << error.message();
  EXPECT_NE(error.hint().find(hint), std::string::npos) << error.hint();
}

constexpr char kEndpoints[] = "source:\n  url: sqlite:///a.db\ntarget:\n  url: sqlite:///b.db\n";

TEST(PlanParser, ReadsEveryKey) {
  auto plan = ParsePlan(kFullPlan, kFile);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->file, kFile);
  EXPECT_EQ(plan->source.url, "sqlite:///abs/legacy.db");
  EXPECT_EQ(plan->source.password_env, "PGPASSWORD");
  EXPECT_EQ(plan->source.where.line, 2);
  EXPECT_EQ(plan->source.where.column, 1);
  EXPECT_EQ(plan->target.password_file, "/run/secrets/pw");
  EXPECT_EQ(plan->include, std::vector<std::string>{"*"});
  EXPECT_EQ(plan->exclude, std::vector<std::string>{"tmp_*"});
  EXPECT_EQ(plan->copy.workers, 4);
  EXPECT_EQ(plan->copy.chunk_rows, 1000);
  EXPECT_EQ(plan->copy.batch_rows, 512);

  const TableTransform* customers = plan->TransformFor("customers");
  ASSERT_NE(customers, nullptr);
  EXPECT_EQ(customers->rename_to, "clients");
  EXPECT_EQ(customers->filter, "active = 1");
  EXPECT_EQ(customers->where.line, 12);
  EXPECT_EQ(customers->where.column, 3);
  const auto& columns = customers->columns;
  ASSERT_EQ(columns.size(), 6u);
  EXPECT_EQ(columns.at("email").mask->kind, MaskRule::Kind::kHash);
  EXPECT_EQ(columns.at("email").where.line, 16);
  EXPECT_EQ(columns.at("email").where.column, 7);
  EXPECT_EQ(columns.at("ssn").mask->kind, MaskRule::Kind::kFixed);
  EXPECT_EQ(columns.at("ssn").mask->fixed_value, "XXX-XX");
  EXPECT_EQ(columns.at("notes").mask->kind, MaskRule::Kind::kNull);
  EXPECT_TRUE(columns.at("phone").drop);
  EXPECT_EQ(columns.at("full_name").rename_to, "name");
  EXPECT_EQ(columns.at("price").cast_to, "decimal(10,2)");
}

TEST(PlanParser, AppliesDefaultsAndShorthands) {
  auto plan = ParsePlan(std::string(kEndpoints) + "tables:\n  include: orders\ntransform:\n", "");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->file, "");
  EXPECT_EQ(plan->include, std::vector<std::string>{"orders"});
  EXPECT_TRUE(plan->exclude.empty());
  EXPECT_TRUE(plan->transforms.empty());
  EXPECT_EQ(plan->copy.workers, CopySettings{}.workers);
  EXPECT_EQ(plan->copy.chunk_rows, CopySettings{}.chunk_rows);
}

TEST(PlanParser, AcceptsTheSpellingsOfANullMask) {
  for (const char* mask : {"null", "~", "\"null\"", "Null"}) {
    auto plan = ParsePlan(std::string(kEndpoints) + "transform:\n  t:\n    columns:\n      c: " +
                              "{mask: " + mask + "}\n",
                          kFile);
    ASSERT_TRUE(plan.has_value()) << mask << ": " << plan.error().ToString();
    EXPECT_EQ(plan->transforms.at("t").columns.at("c").mask->kind, MaskRule::Kind::kNull);
  }
}

TEST(PlanParser, SuggestsTheClosestKey) {
  ExpectError("sorce:\n  url: x:y\n", 1, 1, "unknown key 'sorce'", "did you mean 'source'?");
  ExpectError(std::string(kEndpoints) + "tables:\n  inclde: [\"*\"]\n", 6, 3,
              "tables has unknown key 'inclde'", "did you mean 'include'?");
  ExpectError(std::string(kEndpoints) + "transform:\n  t:\n    colums: {}\n", 7, 5,
              "unknown key 'colums'", "did you mean 'columns'?");
  ExpectError(std::string(kEndpoints) +
                  "transform:\n  t:\n    columns:\n      c: {mask: hash, "
                  "vale: x}\n",
              8, 23, "transform.t.columns.c has unknown key 'vale'", "did you mean 'value'?");
  ExpectError(std::string(kEndpoints) + "copy:\n  zzzzzzzz: 1\n", 6, 3, "unknown key",
              "docs/plan.md");
  ExpectError(std::string(kEndpoints) +
                  "transform:\n  t:\n    columns:\n      c: {cast: "
                  "decimal(10,2)}\n",
              8, 28, "unknown key '2)'", "quote values that contain");
}

TEST(PlanParser, LocatesYamlSyntaxErrors) {
  ExpectError(std::string(kEndpoints) + "tables:\n  include: [\"*\",\n", 7, 1, "invalid YAML",
              "indentation");
  ExpectError("source: a: b\n", 1, 10, "invalid YAML");
  // yaml-cpp 0.7's own LoadAll never returns on this input (jbeder/yaml-cpp#1040).
  ExpectError("# a comment\n, x: 1\n", 2, 1, "invalid YAML (unexpected ',')");
}

TEST(PlanParser, RejectsWrongTypes) {
  ExpectError(std::string(kEndpoints) + "tables:\n  include: {a: 1}\n", 6, 12,
              "tables.include is a map", "list");
  ExpectError(std::string(kEndpoints) + "tables:\n  exclude: tmp_*, old_*\n", 6, 12,
              "tables.exclude is 'tmp_*, old_*', expected a list", "brackets");
  ExpectError(std::string(kEndpoints) + "tables:\n  exclude: [a, [b]]\n", 6, 16,
              "tables.exclude[1] is a list");
  ExpectError(std::string(kEndpoints) + "copy:\n  workers: two\n", 6, 12,
              "copy.workers is 'two', expected an integer from 1 to 64");
  ExpectError(std::string(kEndpoints) + "copy:\n  workers: 2.5\n", 6, 12, "copy.workers");
  ExpectError("source: sqlite:///a.db\n", 1, 9, "source is 'sqlite:///a.db'", "indented");
  ExpectError("- a\n- b\n", 1, 1, "the plan is a list");
  ExpectError(std::string(kEndpoints) + "transform:\n  t:\n    columns:\n      c: {drop: 1}\n", 8,
              17, "drop is '1', expected true or false");
}

TEST(PlanParser, RejectsNumbersOutOfRange) {
  ExpectError(std::string(kEndpoints) + "copy:\n  workers: 0\n", 6, 12, "workers is '0'");
  ExpectError(std::string(kEndpoints) + "copy:\n  workers: 65\n", 6, 12, "workers is '65'");
  ExpectError(std::string(kEndpoints) + "copy:\n  chunk_rows: 0\n", 6, 15,
              "expected an integer of at least 1");
  ExpectError(std::string(kEndpoints) + "copy:\n  batch_rows: 1000001\n", 6, 15,
              "expected an integer from 1 to 1000000");
  ExpectError(std::string("version: 2\n") + kEndpoints, 1, 10, "version is '2', expected 1");
}

TEST(PlanParser, ChecksMaskRules) {
  std::string head = std::string(kEndpoints) + "transform:\n  t:\n    columns:\n";
  ExpectError(head + "      ssn: {mask: fixed}\n", 8, 13, "has mask 'fixed' but no value",
              "value:");
  ExpectError(head + "      ssn: {value: x}\n", 8, 13, "has a value but no mask");
  ExpectError(head + "      ssn: {mask: hash, value: x}\n", 8, 25, "its mask is not 'fixed'");
  ExpectError(head + "      ssn: {mask: hsah}\n", 8, 19, "mask is 'hsah'", "did you mean 'hash'?");
  ExpectError(head + "      ssn:\n        mask:\n", 9, 9, "mask is empty");
  ExpectError(head + "      ssn: {mask: fixed, value: null}\n", 8, 26, "value is null",
              "mask: null");
  ExpectError(head + "      ssn: {cast: \"decmal(10,2)\"}\n", 8, 19, "is 'decmal(10,2)'",
              "did you mean 'decimal(10,2)'?");
  ExpectError(head + "      ssn: {cast: \"int(4)\"}\n", 8, 19, "is 'int(4)'", "arguments");
}

TEST(PlanParser, RejectsDropWithOtherRules) {
  std::string head = std::string(kEndpoints) + "transform:\n  t:\n    columns:\n";
  ExpectError(head + "      phone: {drop: true, rename: tel}\n", 8, 15,
              "is dropped and also has rename", "remove");
  ExpectError(head + "      phone: {mask: hash, cast: text, drop: true}\n", 8, 39,
              "also has cast, mask");
  auto plan = ParsePlan(head + "      phone: {drop: false, rename: tel}\n", kFile);
  EXPECT_TRUE(plan.has_value()) << plan.error().ToString();
}

TEST(PlanParser, RejectsColumnsRenamedOntoOneName) {
  std::string head = std::string(kEndpoints) + "transform:\n  t:\n    columns:\n";
  ExpectError(head + "      a: {rename: x}\n      b: {rename: X}\n", 9, 7,
              "transform.t.columns.b is renamed to 'X', as is column 'a'");
  ExpectError(head + "      full_name: {rename: name}\n      name: {mask: hash}\n", 8, 7,
              "renamed to 'name', which column 'name' keeps", "rename or drop column 'name'");
  // A swap, a rename onto a dropped column's name and a rename to itself are all fine.
  auto plan = ParsePlan(head +
                            "      a: {rename: b}\n      b: {rename: a}\n      c: {rename: d}\n"
                            "      d: {drop: true}\n      e: {rename: e}\n",
                        kFile);
  EXPECT_TRUE(plan.has_value()) << plan.error().ToString();
}

TEST(PlanParser, ChecksEndpoints) {
  ExpectError(
      "source:\n  url: sqlite:///a.db\n  password_env: A\n  password_file: /f\n"
      "target:\n  url: sqlite:///b.db\n",
      4, 3, "source has both password_env and password_file");
  ExpectError("source:\n  password_env: A\ntarget:\n  url: sqlite:///b.db\n", 1, 1,
              "source has no url", "url:");
  ExpectError("source:\n  url: sqlite:///a.db\n", 1, 1, "the plan has no target");
  ExpectError("source:\n  url: nocolon\ntarget:\n  url: sqlite:///b.db\n", 2, 8,
              "source.url: 'nocolon' is not a database URL");
  ExpectError(
      "source:\n  url: sqlite:///a.db\n  password_env: my-pass word\n"
      "target:\n  url: sqlite:///b.db\n",
      3, 17, "an environment variable name");
  ExpectError("source:\n  url: \"\"\ntarget:\n  url: sqlite:///b.db\n", 2, 8,
              "source.url is empty");
}

TEST(PlanParser, RejectsStructuralMistakes) {
  ExpectError("", 1, 1, "the plan is empty", "peerlock init");
  ExpectError("# nothing yet\n", 1, 1, "the plan is empty");
  ExpectError(std::string(kEndpoints) + "---\nsource: {}\n", 5, 1,
              "the plan holds more than one YAML document", "'---'");
  ExpectError(std::string(kEndpoints) + "copy: {workers: 2}\ncopy: {workers: 3}\n", 6, 1,
              "'copy' appears twice in the plan (first on line 5)", "merge");
  ExpectError(std::string(kEndpoints) + "tables:\n  include: []\n", 6, 12,
              "tables.include is empty", "[\"*\"]");
  ExpectError(std::string(kEndpoints) + "transform:\n  t:\n    filter: \"\"\n", 7, 13,
              "transform.t.filter is empty");
}

TEST(PlanParser, NamesAnUnnamedPlanInErrors) {
  auto plan = ParsePlan("bogus: 1\n", "");
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().message().substr(0, 11), "<plan>:1:1:");
}

class PlanLoadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("peerlock_plan_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::filesystem::path dir_;
};

TEST_F(PlanLoadFile, StoresTheAbsolutePath) {
  Write("peerlock.yaml", kFullPlan);
  std::string messy = (dir_ / "." / "peerlock.yaml").string();
  auto plan = LoadPlanFile(messy);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->file, (dir_ / "peerlock.yaml").string());
  EXPECT_TRUE(std::filesystem::path(plan->file).is_absolute());
}

TEST_F(PlanLoadFile, LocatesErrorsInTheFile) {
  auto path = Write("bad.yaml", std::string(kEndpoints) + "copy:\n  workers: 100\n");
  auto plan = LoadPlanFile(path.string());
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kPlan);
  EXPECT_EQ(plan.error().message().rfind(path.string() + ":6:12: ", 0), 0u)
      << plan.error().message();
}

TEST_F(PlanLoadFile, MissingFileIsNotFoundWithAnInitHint) {
  auto missing = dir_ / "nope.yaml";
  auto plan = LoadPlanFile(missing.string());
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(plan.error().message().find(missing.string()), std::string::npos);
  EXPECT_NE(plan.error().hint().find("peerlock init"), std::string::npos);

  auto directory = LoadPlanFile(dir_.string());
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(directory.error().hint().find("peerlock init"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
