#pragma once
// Test helpers for code that runs other programs: a scratch directory for the files a script
// writes (its pid, its working directory), and whether a process it started has really gone.
// Shared by src/base/process_test.cc and src/engine/cutover/hook_runner_test.cc.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace peerlock::testing {

// A fresh directory under the system's temporary one, removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    static std::atomic<int> next{0};
    path_ = std::filesystem::temp_directory_path() /
            ("peerlock-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(next++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;  // a leftover temporary directory fails no test
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Running, or stopped, but not a zombie: a killed orphan may wait a moment for its reaper.
inline bool ProcessAlive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');  // the state follows the command name in parentheses
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] != 'Z';
}

// Polls until `pid` is gone; false when it still runs after 10 s.
inline bool ProcessGoneWithin10s(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ProcessAlive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::usleep(10000);  // the poll interval of a condition with a deadline
  }
  return true;
}

// The pid a script wrote to `file` (`echo $! > file`); 0 when there is none.
inline pid_t PidFromFile(const std::filesystem::path& file) {
  pid_t pid = 0;
  std::ifstream(file) >> pid;
  return pid;
}

}  // namespace peerlock::testing
