#include "base/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/child_processes.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::PidFromFile;
using testing::ProcessGoneWithin10s;
using testing::ScratchDir;

TEST(Process, CapturesBothStreamsAndTheExitCode) {
  auto result = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_FALSE(result->timed_out);
}

TEST(Process, PassesExtraEnvironmentOverOurs) {
  auto result = RunProcess({"/bin/sh", "-c", "echo \"$HOME/$PEERLOCK_TEST_VALUE\""},
                           {{"HOME", "/nowhere"}, {"PEERLOCK_TEST_VALUE", "x y"}});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "/nowhere/x y\n");
}

TEST(Process, RunsInTheWorkingDirectoryAndMergesOutputInOrder) {
  ScratchDir dir("process-cwd");
  auto result = RunProcessWithin({"/bin/sh", "-c", "pwd; echo two >&2; echo three"},
                                 {.working_dir = dir.path().string(), .merge_output = true});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, fs::canonical(dir.path()).string() + "\ntwo\nthree\n");
  EXPECT_EQ(result->err, "");
}

TEST(Process, KeepsTheTailOfLargeOutput) {
  auto result = RunProcessWithin({"/bin/sh", "-c", "seq 1 100000"}, {.max_output = 13});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "99999\n100000\n");
}

// A descriptor of ours without close-on-exec (as libpq's and Connector/C's sockets are) is not
// the child's: a hook or mariadb-dump sees only its three streams.
TEST(Process, TheChildInheritsNoDescriptorOfOurs) {
  const int fd = ::dup2(::open("/dev/null", O_RDONLY), 57);  // no O_CLOEXEC
  ASSERT_EQ(fd, 57);
  for (auto timeout : {milliseconds(0), milliseconds(10000)}) {
    auto result = RunProcessWithin(
        {"/bin/sh", "-c", "if [ -e /proc/self/fd/57 ]; then echo inherited; else echo closed; fi"},
        {.timeout = timeout});
    ASSERT_TRUE(result.has_value()) << result.error().message();
    EXPECT_EQ(result->out, "closed\n") << "timeout " << timeout.count();
  }
  ::close(fd);
}

TEST(Process, ReadsItsStandardInputFromAFile) {
  ScratchDir dir("process-stdin");
  const std::string input = (dir.path() / "input.sql").string();
  {
    std::ofstream out(input);
    out << "line one\nline two\n";
  }
  for (auto timeout : {milliseconds(0), milliseconds(10000)}) {
    auto result = RunProcessWithin({"/bin/sh", "-c", "wc -l; cat"},
                                   {.stdin_path = input, .timeout = timeout});
    ASSERT_TRUE(result.has_value()) << result.error().message();
    EXPECT_EQ(result->exit_code, 0);
    // wc reads it all, so cat gets nothing more: one read of one file, not a terminal.
    EXPECT_EQ(result->out, "2\n") << "timeout " << timeout.count();
  }
  auto missing = RunProcessWithin({"/bin/cat"}, {.stdin_path = input + ".gone"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("input.sql.gone"), std::string::npos);
}

TEST(Process, MissingProgramOrDirectoryIsNotFound) {
  auto program = RunProcess({"peerlock-no-such-program"});
  ASSERT_FALSE(program.has_value());
  EXPECT_EQ(program.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(program.error().message().find("peerlock-no-such-program"), std::string::npos);

  auto dir = RunProcessWithin({"/bin/true"}, {.working_dir = "/peerlock/no/such/dir"});
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(dir.error().message().find("/peerlock/no/such/dir"), std::string::npos);
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
  ScratchDir dir("process-timeout");
  fs::path pid_file = dir.path() / "grandchild.pid";
  auto result = RunProcessWithin(
      {"/bin/sh", "-c", "echo started; sleep 30 & echo $! > " + pid_file.string() + "; wait"},
      {.timeout = milliseconds(200)});
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->out, "started\n");
  EXPECT_EQ(result->exit_code, 128 + SIGTERM);
  pid_t grandchild = PidFromFile(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ProcessGoneWithin10s(grandchild))
      << "sleep " << grandchild << " outlived the timeout";
}

TEST(Process, TimeoutEscalatesToSigkillWhenSigtermIsIgnored) {
  auto result = RunProcessWithin({"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30"},
                                 {.timeout = milliseconds(200), .kill_grace = milliseconds(100)});
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->exit_code, 128 + SIGKILL);
}

TEST(Process, UnattendedProcessReadsNothingAndFinishesInTime) {
  auto result =
      RunProcessWithin({"/bin/sh", "-c", "cat; echo done"}, {.timeout = milliseconds(60000)});
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->timed_out);
  EXPECT_EQ(result->out, "done\n");
  EXPECT_EQ(result->exit_code, 0);
}

}  // namespace
}  // namespace peerlock
