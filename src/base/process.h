#pragma once
// Runs a helper program (pg_dump, pg_restore, a plan's hook script, ...) to completion: argv
// without a shell, extra environment variables (how secrets reach it: never on the command line,
// where `ps` shows them), stdout and stderr captured. Blocks; thread-safe (no shared state).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/error.h"

namespace peerlock {

struct ProcessResult {
  int exit_code = -1;      // 128 + signal when killed by one
  std::string out;         // standard output (with standard error when merged)
  std::string err;         // standard error; empty when merged into `out`
  bool timed_out = false;  // the timeout passed and the process group was killed
  bool cancelled = false;  // `cancel` was raised and the process group was killed
};

struct ProcessOptions {
  std::map<std::string, std::string> extra_env;  // set on top of (or over) our environment
  std::string working_dir;                       // empty: ours
  // The child's standard input: this file, read-only (a dump fed to a client). Empty: ours,
  // or /dev/null when the child runs unattended.
  std::string stdin_path;
  // 0 = wait as long as it takes. Otherwise the child runs unattended: in its own process group,
  // stdin /dev/null, default signal handling; when the timeout passes the whole group gets
  // SIGTERM, then SIGKILL after `kill_grace`, so grandchildren (`sleep 30 &`) die with it.
  // A background process that keeps the output pipes open counts as still running.
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds kill_grace{2000};  // between SIGTERM and SIGKILL
  size_t max_output = 0;                       // bytes kept of each stream, the tail; 0 = all
  bool merge_output = false;                   // stderr into `out`, interleaved as written
  // With a timeout: raised (Ctrl-C reaching us, not the child's own group), the group is
  // killed as at the timeout; seen within 100 ms.
  const CancelFlag* cancel = nullptr;
  // Set to the child's pid once it is started (0 until then): lets another thread look at it.
  std::atomic<int>* started_pid = nullptr;
};

// Fails (kNotFound) only when the program cannot be started or `working_dir` does not exist; a
// non-zero exit or a timeout is a result. With a timeout it returns within about
// timeout + 2 * kill_grace, even when a process that left the group still holds the pipes.
Result<ProcessResult> RunProcessWithin(const std::vector<std::string>& argv,
                                       const ProcessOptions& options);

// The first `n` non-blank lines of a program's output, joined with " | ": its error in one line.
std::string FirstLines(const std::string& text, int n);

// RunProcessWithin without a timeout, in our process group (Ctrl-C reaches the child too).
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& extra_env = {});

}  // namespace peerlock
