#pragma once
// Runs a helper program (pg_dump, pg_restore, ...) to completion: argv without a shell, extra
// environment variables (how secrets reach it: never on the command line, where `ps` shows
// them), stdout and stderr captured. Blocks; thread-safe (no shared state).

#include <map>
#include <string>
#include <vector>

#include "base/error.h"

namespace peerlock {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;     // standard output
  std::string err;     // standard error
};

// Fails (kNotFound) only when the program cannot be started; a non-zero exit is a result.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& extra_env = {});

}  // namespace peerlock
