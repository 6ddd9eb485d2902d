#pragma once
// A child process running beside the test (a `peerlock sync`, a psql writer): started with
// posix_spawn, output to files, signalled and waited for with deadlines. The destructor kills
// and reaps it, so a failing test never leaves it running. Header-only.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "scenarios/scenario_support.h"

extern char** environ;

namespace peerlock::scenario {

class BackgroundProcess {
 public:
  // Starts `argv` with the test's environment plus `env_extra` (PEERLOCK_FAULT removed unless
  // given); stdout and stderr go to `log_path`.
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_path,
                    const EnvList& env_extra = {})
      : log_path_(log_path) {
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
      std::string entry = *e;
      auto eq = entry.find('=');
      if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    env.erase("PEERLOCK_FAULT");
    for (const auto& [k, v] : env_extra) env[k] = v;
    std::vector<std::string> env_store, argv_store = argv;
    for (const auto& [k, v] : env) env_store.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    for (auto& a : argv_store) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(rc);
      pid_ = -1;
    }
  }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess() {
    if (pid_ > 0 && !status_) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }

  void Signal(int sig) {
    if (pid_ > 0 && !status_) kill(pid_, sig);
  }

  // The exit code (negative signal number when killed), or nullopt if still running when
  // `timeout` ends.
  std::optional<int> Wait(std::chrono::seconds timeout) {
    if (status_) return status_;
    if (pid_ <= 0) return -1000;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int st = 0;
      pid_t r = waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
        return status_;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a child's exit
    }
  }

  bool running() { return pid_ > 0 && !Wait(std::chrono::seconds(0)); }
  std::string Log() const { return ReadFile(log_path_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
template <typename F>
bool WaitUntil(F condition, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace peerlock::scenario
