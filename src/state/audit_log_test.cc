#include "state/audit_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/child_processes.h"

namespace peerlock {
namespace {

using testing::ScratchDir;

std::string Head(const ScratchDir& dir) {
  std::ifstream in(dir.path() / "audit.head");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Two writers (a sync and a cutover, each with its own log handle) appending at once: the head
// always ends at the last entry, never at an older one written late.
TEST(AuditLog, WritersAppendingAtOnceLeaveTheHeadAtTheLastEntry) {
  ScratchDir dir("audit");
  auto a = AuditLog::Open(dir.path().string());
  auto b = AuditLog::Open(dir.path().string());
  ASSERT_TRUE(a && b);
  auto append = [](AuditLog& log, const std::string& who) {
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(log.Append("m", who, {{"i", i}}));
  };
  std::thread first([&] { append(**a, "sync"); });
  std::thread second([&] { append(**b, "cutover"); });
  first.join();
  second.join();
  auto check = (*a)->Verify();
  ASSERT_TRUE(check.has_value()) << check.error().ToString();
  EXPECT_EQ(check->entries, 120);
  EXPECT_TRUE(check->problems.empty()) << check->problems.front();
  EXPECT_EQ(Head(dir).substr(0, 4), "120 ");
}

TEST(AuditLog, AnOlderEntryNeverReplacesANewerHead) {
  ScratchDir dir("audit");
  std::ofstream(dir.path() / "audit.head") << "7 abc\n";
  auto log = AuditLog::Open(dir.path().string());
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->Append("m", "copy", {}));
  EXPECT_EQ(Head(dir), "7 abc\n");
  // And verify says the head does not match the log: entries cut off, or the head edited.
  auto check = (*log)->Verify();
  ASSERT_TRUE(check.has_value());
  ASSERT_EQ(check->problems.size(), 1u);
  EXPECT_NE(check->problems[0].find("audit.head records entry 7"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
